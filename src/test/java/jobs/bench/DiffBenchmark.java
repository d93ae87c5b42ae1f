package jobs.bench;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;

/**
 * {@code kbackup diff} of two restore points of the {@link SyntheticCluster} that differ in 1 % of their objects
 * (config maps spread over every namespace, each with one value changed), against a dry-run restore of one of them
 * into the same cluster (#15's goal: the diff at most 0.3x of it). Both are timed as whole commands in this process
 * (context start included, alike for both), on the indexed API double.
 */
final class DiffBenchmark {

    static final int OBJECTS = Integer.getInteger("bench.diffObjects", 100_000);

    private DiffBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-bench-diff");
        try (ApiServer api = ApiServer.startIndexed()) {
            SyntheticCluster.seed(api, OBJECTS);
            Kbackup kbackup = Kbackup.filesystem(dir, api);
            check(kbackup.run("backup", "--name", "day-1"));
            int changed = 0;
            for (int i = 0; changed < OBJECTS / 100 && i < OBJECTS; i++) {
                HasMetadata object = SyntheticCluster.object(i);
                if (object instanceof ConfigMap && i % 7 == 0) {
                    api.client().configMaps().inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                            .edit(c -> {
                                c.getData().put("version", c.getData().get("version") + "-changed");
                                return c;
                            });
                    changed++;
                }
            }
            check(kbackup.run("backup", "--name", "day-2"));
            long start = System.nanoTime();
            Kbackup.Result diff = kbackup.run("diff", "day-1", "day-2", "-o", "json");
            double diffSeconds = (System.nanoTime() - start) / 1e9;
            check(diff);
            start = System.nanoTime();
            Kbackup.Result dryRun = kbackup.run("restore", "--from", "day-2", "--name", "plan", "--dry-run", "-o", "json");
            double dryRunSeconds = (System.nanoTime() - start) / 1e9;
            check(dryRun);
            long reported = diff.out().lines().filter(l -> l.contains("\"op\" : \"replace\"")).count();
            System.out.printf("%nDiff benchmark: %,d objects, %,d config maps changed between two backups%n", OBJECTS, changed);
            System.out.printf("diff day-1 day-2:       %8.2f s  (%,d replace operations reported)%n", diffSeconds, reported);
            System.out.printf("restore --dry-run:      %8.2f s%n", dryRunSeconds);
            System.out.printf("diff / dry run:         %8.2f  (goal at most 0.30)%n", diffSeconds / dryRunSeconds);
        }
    }

    private static void check(Kbackup.Result result) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.toString());
        }
    }
}
