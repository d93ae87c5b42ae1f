package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Azurite;
import jobs.testing.Kbackup;
import jobs.testing.SlowLink;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup process killed with SIGKILL half way: the next launch of the same name recovers the run and finishes it. */
class KilledBackupTest {

    static final int OBJECTS = 600;

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("big").endMetadata().build());
        for (int i = 0; i < OBJECTS; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("big").endMetadata()
                    .addToData("i", String.valueOf(i)).build());
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void killedAtRandomPointsSeveralTimesItEndsEquivalentToAnUninterruptedBackup() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=20", "--kbackup.backup.pack-objects=20");
        RestorePoints stored = Stored.filesystem(dir);
        assertThat(kbackup.run("backup", "--name", "reference").exitCode()).isZero();
        api.listLatency(Duration.ofMillis(100));
        java.util.Random random = new java.util.Random(42);
        int kills = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Process process = kbackup.spawn("backup", "--name", "battered");
            // Wait for the run to get going (its restore point exists), then kill it somewhere in the next 1.5 s.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (stored.find("battered").isEmpty() && process.isAlive()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(1500));
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                kills++;
            }
        }
        api.listLatency(Duration.ZERO);

        Kbackup.Result last = kbackup.run("backup", "--name", "battered");

        assertThat(kills).as("the runs were really killed").isGreaterThanOrEqualTo(2);
        assertThat(last.exitCode()).as(last.toString()).isZero();
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> reference = new java.util.HashMap<>();
        Stored.objects(stored, "reference").forEach(o -> reference.put(Stored.key(o), o));
        java.util.List<com.fasterxml.jackson.databind.JsonNode> battered = Stored.objects(stored, "battered");
        assertThat(battered).extracting(Stored::key).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(reference.keySet());
        battered.forEach(o -> assertThat(o).as(Stored.key(o)).isEqualTo(reference.get(Stored.key(o))));
    }

    /**
     * Chunks are stored while the next is read, so at most times one is on its way when the process dies. Over a
     * slow link to Azurite (every request held 150 ms) a kill nearly always lands there: the state committed so
     * far must not count that chunk, or its objects would be missing from the finished restore point.
     */
    @Test
    void killedWhileAChunkIsOnItsWayToStorageItLosesNothing() throws Exception {
        String container = "killed-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Kbackup direct = Kbackup.azure(dir, api, container).with("--kbackup.kube.page-size=20", "--kbackup.backup.pack-objects=20");
        RestorePoints stored = Stored.azure(container);
        java.util.Random random = new java.util.Random(7);
        int kills = 0;
        try (SlowLink link = SlowLink.to(Azurite.shared().port(), Duration.ofMillis(150))) {
            Kbackup slow = direct.with("--kbackup.storage.azure.connection-string=" + Azurite.shared().connectionStringVia(link.port()));
            for (int attempt = 0; attempt < 3; attempt++) {
                int before = Stored.packs(stored);
                Process process = slow.spawn("backup", "--name", "battered");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while ((stored.find("battered").isEmpty() || Stored.packs(stored) < before + 2)
                        && process.isAlive()) {
                    assertThat(System.nanoTime()).as("chunks stored in time").isLessThan(deadline);
                    Thread.sleep(20);
                }
                Thread.sleep(random.nextInt(800));
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    kills++;
                }
            }
        }

        Kbackup.Result last = direct.run("backup", "--name", "battered");
        // Taken after, so that the battered runs found nothing stored to refer to, and stored packs all along.
        assertThat(direct.run("backup", "--name", "reference").exitCode()).isZero();

        assertThat(kills).as("the runs were really killed").isEqualTo(3);
        assertThat(last.exitCode()).as(last.toString()).isZero();
        assertThat(Stored.manifest(stored, "battered").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(stored, "battered")).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(Stored.keys(stored, "reference"));
    }

    /**
     * A backup that fails while chunks are on their way (slow link to Azurite, a list failing half way) lets them
     * finish and records the state they make true, so the relaunch lists only what was not stored.
     */
    @Test
    void aFailureWhileChunksAreOnTheirWayRecordsWhatTheyStored() {
        String container = "failed-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Kbackup direct = Kbackup.azure(dir, api, container).with("--kbackup.kube.page-size=20",
                "--kbackup.backup.pack-objects=20", "--kbackup.kube.request-retries=0");
        RestorePoints stored = Stored.azure(container);
        // The fifth page of config maps fails: four pages are read by then, their chunks mostly still on their way.
        api.failLater("GET", "/configmaps?", 4, 1, 500, null);
        try (SlowLink link = SlowLink.to(Azurite.shared().port(), Duration.ofMillis(150))) {
            Kbackup slow = direct.with("--kbackup.storage.azure.connection-string=" + Azurite.shared().connectionStringVia(link.port()));

            Kbackup.Result failed = slow.run("backup", "--name", "interrupted");

            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        }
        int callsBefore = api.listCalls("/configmaps");

        Kbackup.Result resumed = direct.run("backup", "--name", "interrupted");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.keys(stored, "interrupted")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
        // The failed run listed 16 + 3 x 20 objects and stored three chunks of 20. Resumed at the page holding the
        // 61st object (it starts at the 57th): a probe of 16 objects, then pages of 20, none for the pages before.
        int pageStart = ResourceReader.FIRST_PAGE + 2 * 20;
        int remaining = OBJECTS - pageStart - ResourceReader.FIRST_PAGE;
        assertThat(api.listCalls("/configmaps") - callsBefore).as("pages listed again").isEqualTo(1 + (remaining + 19) / 20);
    }

    @Test
    void resumesAfterTheProcessIsKilled() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=20", "--kbackup.backup.pack-objects=20");
        RestorePoints stored = Stored.filesystem(dir);
        api.listLatency(Duration.ofMillis(150));

        Process first = kbackup.spawn("backup", "--name", "killed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (Stored.packs(stored) < 3) {
            assertThat(first.isAlive()).as("the backup should still be running").isTrue();
            assertThat(System.nanoTime()).as("chunks written in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(Stored.manifest(stored, "killed").phase()).isEqualTo(Phase.InProgress);
        int chunksBefore = Stored.packs(stored);
        assertThat(chunksBefore).isLessThan(OBJECTS / 20);
        api.listLatency(Duration.ZERO);

        Kbackup.Result resumed = kbackup.run("backup", "--name", "killed");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.keys(stored, "killed")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
        assertThat(Stored.manifest(stored, "killed").phase()).isEqualTo(Phase.Completed);
        // It resumed: the pages already committed by the killed run were not listed again.
        int pages = OBJECTS / 20 + 1;
        assertThat(api.listCalls("/configmaps")).isLessThan(pages + pages - 2);
    }
}
