package jobs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;

/**
 * The fleet's local runner against remote clusters: {@code CLUSTERS} API doubles of {@code OBJECTS} objects each,
 * every request (discovery included) answered {@code LATENCY} late. Each cluster is first backed up alone, one after
 * the other, with the same command path; then the whole fleet with {@code fleet backup --parallelism 8}. The goal is
 * fleet wall time within 1.3x of (sum of the single backups / 8). Run with {@code -Dbench=fleet}.
 */
final class FleetBenchmark {

    static final int CLUSTERS = Integer.getInteger("bench.fleet.clusters", 40);
    static final int OBJECTS = Integer.getInteger("bench.fleet.objects", 2000);
    static final Duration LATENCY = Duration.ofMillis(20);
    static final int PARALLELISM = 8;

    private FleetBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-fleet-bench");
        List<ApiServer> clusters = new ArrayList<>();
        try {
            for (int i = 0; i < CLUSTERS; i++) {
                ApiServer api = ApiServer.startIndexed();
                SyntheticCluster.seed(api, OBJECTS);
                api.requestLatency(LATENCY);
                clusters.add(api);
            }
            Kbackup fleet = Kbackup.filesystem(Files.createDirectories(dir.resolve("fleet")), clusters.get(0));
            for (int i = 0; i < CLUSTERS; i++) {
                Path folder = Files.createDirectories(dir.resolve("member-" + i));
                fleet = fleet.with("--kbackup.fleet.clusters[" + i + "].name=c" + i,
                        "--kbackup.fleet.clusters[" + i + "].kubeconfig=" + clusters.get(i).writeKubeconfig(folder));
            }
            // Warm up the JVM on one cluster, as every benchmark here does, then measure.
            check(Kbackup.filesystem(Files.createDirectories(dir.resolve("warm")), clusters.get(0)).run("backup", "--name", "warm"));

            double sum = 0;
            for (int i = 0; i < CLUSTERS; i++) {
                Kbackup single = Kbackup.filesystem(Files.createDirectories(dir.resolve("single-" + i)), clusters.get(i));
                long start = System.nanoTime();
                check(single.run("backup", "--name", "single"));
                sum += (System.nanoTime() - start) / 1e9;
            }
            long start = System.nanoTime();
            check(fleet.run("fleet", "backup", "--name", "fleet", "--parallelism", Integer.toString(PARALLELISM)));
            double wall = (System.nanoTime() - start) / 1e9;
            double ideal = sum / PARALLELISM;
            System.out.printf("%nFleet benchmark: %d clusters x %d objects, every request %d ms late, local runner%n", CLUSTERS,
                    OBJECTS, LATENCY.toMillis());
            System.out.printf("%-34s %10s%n", "run", "wall s");
            System.out.printf("%-34s %10.2f%n", "single backups, one after another", sum);
            System.out.printf("%-34s %10.2f%n", "  per cluster (mean)", sum / CLUSTERS);
            System.out.printf("%-34s %10.2f%n", "ideal: sum / " + PARALLELISM, ideal);
            System.out.printf("%-34s %10.2f%n", "fleet backup --parallelism " + PARALLELISM, wall);
            System.out.printf("%-34s %10.2f  (goal <= 1.30)%n", "ratio fleet / ideal", wall / ideal);
        } finally {
            clusters.forEach(ApiServer::close);
        }
    }

    private static void check(Kbackup.Result result) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException("benchmark run failed: " + result);
        }
    }
}
