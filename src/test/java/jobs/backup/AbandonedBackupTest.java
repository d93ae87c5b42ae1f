package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a CronJob does to a backup whose pod dies: the Job retries it in a new pod with the same Job name, and, once
 * its retries are spent, nobody ever comes back for it.
 */
class AbandonedBackupTest {

    static final int OBJECTS = 200;

    @TempDir
    Path dir;
    ApiServer api;
    RestorePoints stored;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build());
        for (int i = 0; i < OBJECTS; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%04d", i)).withNamespace("shop")
                    .endMetadata().addToData("n", Integer.toString(i)).build());
        }
        stored = Stored.filesystem(dir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** Starts a backup in a child JVM over a slow API server and kills it once it has stored some chunks. */
    private void killHalfWay(Kbackup kbackup, String restorePoint, String... args) throws Exception {
        api.listLatency(Duration.ofMillis(150));
        Process process = kbackup.spawn(args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (stored.find(restorePoint).isEmpty() || Stored.packs(stored) < 2) {
            assertThat(process.isAlive()).as("the backup should still be running").isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        api.listLatency(Duration.ZERO);
        assertThat(Stored.manifest(stored, restorePoint).phase()).isEqualTo(Phase.InProgress);
    }

    @Test
    void aRetryOfTheSameJobResumesItsRestorePoint() throws Exception {
        // What the CronJob's pod gets from the downward API: the name of its Job, the same for every retry.
        Kbackup job = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10",
                "--kbackup.backup.name=kbackup-backup-29412345");
        killHalfWay(job, "kbackup-backup-29412345", "backup");

        Kbackup.Result retry = job.run("backup");

        assertThat(retry.exitCode()).as(retry.toString()).isZero();
        assertThat(stored.list()).extracting(Manifest::name).containsExactly("kbackup-backup-29412345");
        assertThat(Stored.manifest(stored, "kbackup-backup-29412345").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(stored, "kbackup-backup-29412345")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
    }

    @Test
    void aBackupNobodyResumesIsMarkedFailedByTheNextPurgeAndTheRunRecordedAbandoned() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10");
        killHalfWay(kbackup, "lost", "backup", "--name", "lost");

        Kbackup.Result preview = kbackup.run("purge", "--dry-run", "--output", "json");

        assertThat(preview.exitCode()).as(preview.toString()).isZero();
        assertThat(preview.out()).contains("lost").doesNotContain("backup still running");
        assertThat(Stored.manifest(stored, "lost").phase()).as("a dry run writes nothing").isEqualTo(Phase.InProgress);

        Kbackup.Result purge = kbackup.run("purge");

        assertThat(purge.exitCode()).as(purge.toString()).isZero();
        Manifest lost = Stored.manifest(stored, "lost");
        assertThat(lost.phase()).isEqualTo(Phase.Failed);
        assertThat(lost.errors()).extracting(Manifest.ItemError::message).containsExactly("abandoned: owner gone");
        assertThat(kbackup.run("report", "--job", "backup").out()).contains("FAILED").contains("abandoned: owner gone");
        // Still resumable by its name, like any failed backup.
        Kbackup.Result resumed = kbackup.run("backup", "--name", "lost");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.keys(stored, "lost")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
    }

    @Test
    void theNextBackupMarksAnAbandonedOneFailedToo() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10");
        killHalfWay(kbackup, "lost", "backup", "--name", "lost");

        Kbackup.Result next = kbackup.run("backup", "--name", "next");

        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(Stored.manifest(stored, "lost").phase()).isEqualTo(Phase.Failed);
        assertThat(Stored.manifest(stored, "next").phase()).isEqualTo(Phase.Completed);
    }
}
