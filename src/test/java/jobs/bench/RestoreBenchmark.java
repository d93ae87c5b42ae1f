package jobs.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;

/**
 * Restore of 20,000 objects (config maps across 100 namespaces) into an empty API server double over HTTP:
 * objects per second of the apply step, from the job repository's step times. Beside it, the floor: the same
 * objects created into an empty double by a plain fabric8 client with the same parallelism (8 threads), which is
 * how the source cluster is seeded. fabric8's CRUD mock scans all objects on every create, so absolute rates here
 * fall as the double fills; the ratio to the floor is kbackup's own cost.
 */
final class RestoreBenchmark {

    static final int OBJECTS = 20_000;
    static final int NAMESPACES = 100;

    private RestoreBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-bench-restore");
        Files.createDirectories(dir.resolve("target"));
        try (ApiServer source = ApiServer.start(); ApiServer target = ApiServer.start()) {
            ExecutorService seed = Executors.newFixedThreadPool(8);
            long seedStart = System.nanoTime();
            for (int n = 0; n < NAMESPACES; n++) {
                source.create(new NamespaceBuilder().withNewMetadata().withName("ns-" + n).endMetadata().build());
            }
            for (int i = 0; i < OBJECTS; i++) {
                int id = i;
                seed.submit(() -> source.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + id)
                        .withNamespace("ns-" + (id % NAMESPACES)).addToLabels("app", "bench").endMetadata()
                        .addToData("payload", "x".repeat(512)).build()));
            }
            seed.shutdown();
            seed.awaitTermination(30, TimeUnit.MINUTES);
            double floorSeconds = (System.nanoTime() - seedStart) / 1e9;
            Kbackup kbackup = Kbackup.filesystem(dir, source);
            Kbackup.Result backup = kbackup.run("backup", "--name", "bench");
            if (backup.exitCode() != 0) {
                throw new IllegalStateException(backup.toString());
            }
            double backupSeconds = stepSeconds(dir, "backup", "resources", "bench");
            Kbackup.Result restore = kbackup.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(dir.resolve("target")))
                    .run("restore", "--from", "bench", "--name", "bench-restore");
            if (restore.exitCode() != 0) {
                throw new IllegalStateException(restore.toString());
            }
            double restoreSeconds = stepSeconds(dir, "restore", "apply", "bench-restore");
            int objects = OBJECTS + NAMESPACES;
            System.out.printf("%nRestore benchmark: %d objects (%d config maps of 512 B in %d namespaces)%n", objects, OBJECTS, NAMESPACES);
            System.out.printf("backup resources step:  %8.2f s  %8.0f objects/s%n", backupSeconds, objects / backupSeconds);
            System.out.printf("restore apply step:     %8.2f s  %8.0f objects/s%n", restoreSeconds, objects / restoreSeconds);
            System.out.printf("floor (plain creates):  %8.2f s  %8.0f objects/s   restore / floor = %.2f%n", floorSeconds,
                    objects / floorSeconds, restoreSeconds / floorSeconds);
        }
    }

    static double stepSeconds(Path dir, String job, String step, String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("jobs"), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("""
                     select s.START_TIME, s.END_TIME from BATCH_STEP_EXECUTION s
                     join BATCH_JOB_EXECUTION e on e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
                     join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                     join BATCH_JOB_EXECUTION_PARAMS p on p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                     where i.JOB_NAME = '%s' and s.STEP_NAME = '%s' and p.PARAMETER_NAME = 'name' and p.PARAMETER_VALUE = '%s'
                     """.formatted(job, step, name))) {
            rs.next();
            return (rs.getTimestamp(2).getTime() - rs.getTimestamp(1).getTime()) / 1000.0;
        }
    }
}
