package jobs.purge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A purge never deletes a restore point a restore is reading: the restore (another process, on a slow API server)
 * marks its source in storage and renews the mark while it runs; a purge started meanwhile keeps that restore
 * point and says why, the restore completes whole, and the next purge, the mark gone, deletes it.
 */
class PurgeDuringRestoreTest {

    @RegisterExtension
    final FixtureCluster source = new FixtureCluster();
    @TempDir
    Path dir;

    @Test
    void aPurgeDuringASlowRestoreDeletesNothingItReads() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, source.api());
        assertThat(kbackup.run("backup", "--name", "old", "--ttl", "1s").exitCode()).isZero();
        Thread.sleep(1_100); // expired now
        RestorePoints stored = Stored.filesystem(dir);
        ReaderMarks marks = new ReaderMarks(stored.store(), Clock.systemUTC());

        try (ApiServer target = ApiServer.start()) {
            target.createLatency(Duration.ofMillis(700));
            Kbackup intoTarget = kbackup.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(Files.createDirectories(dir.resolve("t"))),
                    "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("restore-jobs") + ";DB_CLOSE_ON_EXIT=FALSE",
                    "--kbackup.run.lease-duration=3s");
            Process restore = intoTarget.spawn("restore", "--from", "old", "--name", "slow");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (marks.active("old").isEmpty() && restore.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(marks.active("old")).as("the restore marks what it reads").singleElement().asString().startsWith("slow (until ");

            Kbackup.Result purge = kbackup.run("purge", "--keep-last", "0");

            assertThat(purge.exitCode()).as(purge.toString()).isZero();
            assertThat(purge.out()).contains("being read by restore slow");
            assertThat(stored.find("old")).isPresent();
            assertThat(restore.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(restore.exitValue()).as(output).isZero();
            assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get()).isNotNull();
            assertThat(marks.active("old")).as("removed when the restore ends").isEmpty();
        }

        Kbackup.Result after = kbackup.run("purge", "--keep-last", "0");

        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(stored.find("old")).as("deleted once no restore reads it").isEmpty();
    }
}
