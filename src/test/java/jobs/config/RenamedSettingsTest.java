package jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings published under a name that said "chunk" for three different things are read under their old names
 * still, from the command line and from the environment (a CronJob's ConfigMap written for an earlier version), with
 * a warning naming the new one; given both, the new name wins. Measured by what the backup did: packs of at most
 * {@code pack-objects} new objects.
 */
class RenamedSettingsTest {

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theOldNameStillSetsTheValueAndTheNewNameWins() throws Exception {
        Path defaults = workspace("defaults");
        assertThat(Kbackup.filesystem(defaults, api).run("backup", "--name", "b").exitCode()).isZero();
        long objects = Stored.manifest(Stored.filesystem(defaults), "b").itemCount();
        assertThat(packs(defaults)).as("all %d objects fit one pack by default", objects).isEqualTo(1);

        Path old = workspace("old");
        assertThat(Kbackup.filesystem(old, api).with("--kbackup.backup.chunk-size=5").run("backup", "--name", "b").exitCode()).isZero();
        assertThat(packs(old)).as("packs of 5 of %d objects", objects).isEqualTo((int) ((objects + 4) / 5));

        Path both = workspace("both");
        assertThat(Kbackup.filesystem(both, api).with("--kbackup.backup.chunk-size=5", "--kbackup.backup.pack-objects=2000")
                .run("backup", "--name", "b").exitCode()).isZero();
        assertThat(packs(both)).isEqualTo(1);
    }

    @Test
    void theOldEnvironmentVariableStillWorksWithAWarning() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api);
        Process process = kbackup.spawn(Map.of("KBACKUP_BACKUP_CHUNKSIZE", "5"), List.of("-Xmx256m"), "backup", "--name", "b");
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(kbackup.childLog(process));
        assertThat(process.exitValue()).as(log).isZero();

        assertThat(packs(dir)).isGreaterThan(1);
        assertThat(log).contains("kbackup.backup.chunk-size was renamed kbackup.backup.pack-objects");
    }

    private Path workspace(String name) throws Exception {
        return Files.createDirectories(dir.resolve(name));
    }

    /** The packs of restore point {@code b}, the first backup into an empty store: every object in it is new. */
    private static int packs(Path workspace) {
        return Stored.manifest(Stored.filesystem(workspace), "b").chunks().size();
    }
}
