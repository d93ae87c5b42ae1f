package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.store.RestoreRecords;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore process killed half way: launching the same restore again recovers it and finishes it. */
class KilledRestoreTest {

    static final int OBJECTS = 300;

    @TempDir
    Path dir;
    ApiServer source;
    ApiServer target;

    @BeforeEach
    void start() {
        source = ApiServer.start();
        target = ApiServer.start();
        source.create(new NamespaceBuilder().withNewMetadata().withName("big").endMetadata().build());
        for (int i = 0; i < OBJECTS; i++) {
            source.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("big").endMetadata().build());
        }
    }

    @AfterEach
    void stop() {
        source.close();
        target.close();
    }

    @Test
    void resumesAfterTheProcessIsKilled() throws Exception {
        Kbackup fromSource = Kbackup.filesystem(dir, source);
        assertThat(fromSource.run("backup", "--name", "big").exitCode()).isZero();
        Path targetDir = Files.createDirectories(dir.resolve("target"));
        Kbackup intoTarget = fromSource.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(targetDir),
                "--kbackup.restore.commit-objects=20", "--kbackup.restore.parallelism=2");
        RestoreRecords records = new RestoreRecords(Stored.filesystem(dir).store());
        target.createLatency(Duration.ofMillis(40));

        Process first = intoTarget.spawn("restore", "--from", "big", "--name", "again");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (records.getBlob("again", "results/000002.jsonl.gz").isEmpty()) {
            assertThat(first.isAlive()).as("the restore should still be running").isTrue();
            assertThat(System.nanoTime()).as("results written in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(records.find("again").orElseThrow().phase()).isEqualTo(Phase.InProgress);
        int restoredBefore = target.client().configMaps().inNamespace("big").list().getItems().size();
        assertThat(restoredBefore).isLessThan(OBJECTS);
        target.createLatency(Duration.ZERO);

        // A relaunch resumes with the options the restore started with: others would be ignored, so they are refused.
        Kbackup.Result changed = intoTarget.run("restore", "--from", "big", "--name", "again",
                "--existing-resource-policy", "update", "--namespace-mapping", "big=big-b");
        assertThat(changed.exitCode()).as(changed.toString()).isEqualTo(2);
        assertThat(changed.err()).contains("restore 'again' was started with other options (--namespace-mapping: none, now "
                + "{\"big\":\"big-b\"}; --existing-resource-policy: skip, now update)");
        Kbackup.Result resumed = intoTarget.run("restore", "--from", "big", "--name", "again");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(target.client().configMaps().inNamespace("big").list().getItems()).hasSize(OBJECTS);
        var counts = records.find("again").orElseThrow().counts();
        // Every object reported once; those applied before the kill and not yet committed come back as Unchanged.
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(OBJECTS + 1);
        assertThat(counts.getOrDefault("Failed", 0L)).isZero();
    }
}
