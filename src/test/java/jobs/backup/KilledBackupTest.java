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
import jobs.testing.Kbackup;
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
    void resumesAfterTheProcessIsKilled() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=20", "--kbackup.backup.chunk-size=20");
        RestorePoints stored = Stored.filesystem(dir);
        api.listLatency(Duration.ofMillis(150));

        Process first = kbackup.spawn("backup", "--name", "killed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (stored.storedChunks("killed").size() < 3) {
            assertThat(first.isAlive()).as("the backup should still be running").isTrue();
            assertThat(System.nanoTime()).as("chunks written in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(Stored.manifest(stored, "killed").phase()).isEqualTo(Phase.InProgress);
        int chunksBefore = stored.storedChunks("killed").size();
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
