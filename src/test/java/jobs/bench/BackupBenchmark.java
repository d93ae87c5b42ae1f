package jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;

/**
 * Backup of a synthetic cluster ({@link SyntheticCluster}) of 20,000 and 100,000 objects served over HTTP by the
 * indexed API server double, into the local-folder store and into Azurite. Each backup runs in a child JVM with
 * {@code -Xmx256m}, as the CronJob does: objects/s and time of the resources step (from the job repository), the
 * process's wall time, peak RSS and heap (GC log), and the storage requests it made (its metrics file). Beside it,
 * the floor: the same types listed in pages of 500 by a plain fabric8 client in a child JVM of the same size.
 * Sizes: {@code -Dbench.sizes=20000,100000}.
 */
final class BackupBenchmark {

    private static final Pattern METRIC = Pattern.compile(
            "^kbackup_storage_(operations|http_requests)_total\\{(?:method|operation)=\"(\\w+)\".*} ([0-9.E]+)$");

    private static final int[] HEAP_PROBES = {128, 96, 64, 48, 40, 32, 24};

    private BackupBenchmark() {
    }

    static void run() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.sizes", "20000,100000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            Path dir = Files.createTempDirectory("kbackup-bench-backup-" + size);
            try (ApiServer api = ApiServer.startIndexed()) {
                double seedSeconds = SyntheticCluster.seed(api, size);
                System.out.printf("%nseeded %d objects in %.1f s (%.0f creates/s, plain fabric8 client, 8 threads)%n", size,
                        seedSeconds, size / seedSeconds);
                String[] floor = floor(api, dir);
                long floorObjects = Long.parseLong(floor[0]);
                double floorSeconds = Double.parseDouble(floor[1]);
                rows.add(String.format("| %,d | list floor | %,d | %.2f | %.0f | - | - | - | - | - | - |", size, floorObjects,
                        floorSeconds, floorObjects / floorSeconds));
                for (String store : List.of("filesystem", "azurite")) {
                    String name = "bench-" + store;
                    Kbackup kbackup = store.equals("filesystem") ? Kbackup.filesystem(dir, api)
                            : Kbackup.azure(dir, api, "bench-" + size);
                    Path metrics = dir.resolve(name + ".prom");
                    Path gcLog = dir.resolve(name + "-gc.log");
                    Process process = kbackup.with("--kbackup.metrics.file=" + metrics)
                            .spawn(ChildJvm.options(gcLog), "backup", "--name", name);
                    ChildJvm jvm = ChildJvm.watch(process, gcLog);
                    if (jvm.exitCode() != 0) {
                        throw new IllegalStateException("backup into " + store + " exited " + jvm.exitCode() + ": "
                                + Files.readString(kbackup.childLog(process)));
                    }
                    StepRecord step = StepRecord.of(dir, "backup", "resources", name);
                    Map<String, Double> requests = storageRequests(metrics);
                    int smallest = smallestHeap(kbackup, dir, name);
                    rows.add(String.format("| %,d | %s | %,d | %.2f | %.0f | %.2f | %.1f | %d / %d | %d | %s | %s |", size, store,
                            step.written(), step.seconds(), step.written() / step.seconds(), step.seconds() / floorSeconds,
                            jvm.wallSeconds(), jvm.peakHeapMb(), jvm.peakLiveHeapMb(), jvm.peakRssKb() / 1024,
                            smallest == 0 ? "-" : smallest + " MB", requests));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        System.out.printf("%nBackup benchmark (indexed API server double over HTTP, pages of 500, child JVM -Xmx256m)%n");
        System.out.println("| objects | run | objects stored | resources step s | objects/s | ratio to floor | process wall s "
                + "| peak heap / max after GC MB | peak RSS MB | smallest -Xmx that completes | storage requests |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        rows.forEach(System.out::println);
    }

    /**
     * The smallest of a falling series of heap limits with which the same backup still completes: a peak heap at
     * {@code -Xmx256m} mostly shows how far G1 let the young generation grow, this shows what the run needs.
     */
    private static int smallestHeap(Kbackup kbackup, Path dir, String name) throws IOException, InterruptedException {
        int smallest = 0;
        for (int mb : HEAP_PROBES) {
            Path gcLog = dir.resolve(name + "-probe-" + mb + "-gc.log");
            Process process = kbackup.spawn(List.of("-Xmx" + mb + "m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog), "backup",
                    "--name", name + "-probe-" + mb);
            if (ChildJvm.watch(process, gcLog).exitCode() != 0) {
                break;
            }
            smallest = mb;
        }
        return smallest;
    }

    private static String[] floor(ApiServer api, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ListFloor.class.getName(), api.url(), "500")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("list floor failed: " + out);
        }
        String[] lines = out.split("\n");
        return lines[lines.length - 1].split(" ");
    }

    /** Storage counters from a metrics file: operations by kind, and Azure HTTP requests by method. */
    private static Map<String, Double> storageRequests(Path metrics) throws IOException {
        Map<String, Double> counts = new TreeMap<>();
        for (String line : Files.readAllLines(metrics)) {
            Matcher m = METRIC.matcher(line);
            if (m.matches()) {
                String key = (m.group(1).equals("operations") ? "" : "HTTP ") + m.group(2);
                counts.merge(key, Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return counts;
    }
}
