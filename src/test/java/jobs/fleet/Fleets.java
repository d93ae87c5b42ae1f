package jobs.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import jobs.store.RestorePoints;
import jobs.testing.Stored;

/** Fleet configuration and storage for the tests. */
final class Fleets {

    private Fleets() {
    }

    /** Member {@code index} named {@code name}, reached with {@code kubeconfig}. */
    static String[] member(int index, String name, Path kubeconfig) {
        return new String[] {"--kbackup.fleet.clusters[" + index + "].name=" + name,
                "--kbackup.fleet.clusters[" + index + "].kubeconfig=" + kubeconfig};
    }

    /** A member's restore points in the folder store of {@code dir}. */
    static RestorePoints member(Path dir, String name) {
        return new RestorePoints(Stored.folder(dir.resolve("backups").resolve("clusters").resolve(name)));
    }

    /** A kubeconfig whose server nothing listens on. */
    static Path unreachable(Path folder) throws IOException {
        Path file = folder.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: gone
                  cluster:
                    server: http://127.0.0.1:1
                contexts:
                - name: gone
                  context:
                    cluster: gone
                    user: gone
                current-context: gone
                users:
                - name: gone
                  user:
                    token: t
                """);
        return file;
    }

    /** Waits until a member's backup has stored its first pack: it is under way, past its first commit or close. */
    static void awaitPacks(RestorePoints points) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Stored.packs(points) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Stored.packs(points)).as("the member's backup stored its first pack").isPositive();
    }

    /** The id of the fleet run the job repository records as running. */
    static long runningFleetExecution(Connection repository) throws SQLException {
        try (Statement s = repository.createStatement(); ResultSet r = s.executeQuery("""
                select e.JOB_EXECUTION_ID from BATCH_JOB_EXECUTION e join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                where i.JOB_NAME = 'fleet-backup' and e.STATUS = 'STARTED'""")) {
            assertThat(r.next()).as("a running fleet run").isTrue();
            return r.getLong(1);
        }
    }
}
