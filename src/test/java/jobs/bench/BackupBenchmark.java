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
import jobs.testing.Azurite;
import jobs.testing.ImageJvm;
import jobs.testing.Kbackup;
import jobs.testing.ProcessCpu;

/**
 * Backup of a synthetic cluster ({@link SyntheticCluster}) of 20,000 and 100,000 objects served over HTTP by the
 * indexed API server double, into the local-folder store and into Azurite. Each backup runs in a child JVM with
 * {@code -Xmx256m}, as the CronJob does: objects/s and time of the resources step (from the job repository), the
 * process's wall and CPU time, peak RSS and heap (GC log), the CPU the API server double and Azurite used
 * meanwhile, and the storage requests it made (its metrics file). Beside it, the floor: the same types listed in
 * pages of 500 by a plain fabric8 client in a child JVM of the same size. Every run is repeated
 * ({@code -Dbench.repeats}, 3) and the median reported. Sizes: {@code -Dbench.sizes=20000,100000}; stores:
 * {@code -Dbench.stores=filesystem,azurite}; {@code -Dbench.skipHeapProbes=true} leaves out the smallest-heap search.
 *
 * <p>{@code -Dbench.baseline=/other/checkout/target/classes} compares with another build of kbackup (an older
 * commit, built there): each repeat runs the baseline's backup and then this build's, against the same API server
 * double and store, and the ratio of their step times is printed per pair. Runs in separate invocations differ by
 * more than the difference measured (the machine's speed drifts by 20 to 30 %), pairs run seconds apart do not.
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
        int repeats = Integer.getInteger("bench.repeats", 3);
        String baselineClasses = System.getProperty("bench.baseline", "");
        Path baseline = baselineClasses.isBlank() ? null : Path.of(baselineClasses);
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            Path dir = Files.createTempDirectory("kbackup-bench-backup-" + size);
            try (ApiServer api = ApiServer.startIndexed()) {
                double seedSeconds = SyntheticCluster.seed(api, size);
                System.out.printf("%nseeded %d objects in %.1f s (%.0f creates/s, plain fabric8 client, 8 threads)%n", size,
                        seedSeconds, size / seedSeconds);
                // A first list warms up the API server double's own code, so no measured run pays for its JIT.
                floor(api, dir, -1);
                List<Run> floors = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    floors.add(floor(api, dir, r));
                }
                Run floor = median(floors);
                rows.add(row(size, "list floor", floor, floor.seconds(), "-", "-"));
                for (String store : System.getProperty("bench.stores", "filesystem,azurite").split(",")) {
                    Kbackup kbackup = store.equals("filesystem") ? Kbackup.filesystem(dir, api)
                            : Kbackup.azure(dir, api, "bench-" + size);
                    List<Run> runs = new ArrayList<>();
                    List<Run> baselineRuns = new ArrayList<>();
                    List<Double> pairRatios = new ArrayList<>();
                    for (int r = 0; r < repeats; r++) {
                        // Each run into an empty store: a full backup, not one that finds everything stored already.
                        Kbackup empty = store.equals("filesystem")
                                ? kbackup.with("--kbackup.storage.filesystem.path=" + dir.resolve("store-" + r))
                                : kbackup.with("--kbackup.storage.azure.container=bench-" + size + "-" + r);
                        if (baseline != null) {
                            // The baseline build first, then this one, into a store of its own: pairs run alike.
                            Kbackup other = (store.equals("filesystem")
                                    ? kbackup.with("--kbackup.storage.filesystem.path=" + dir.resolve("baseline-" + r))
                                    : kbackup.with("--kbackup.storage.azure.container=bench-" + size + "-baseline-" + r))
                                    .withProductClasses(baseline);
                            baselineRuns.add(backup(other, dir, "bench-" + store + "-baseline-" + r));
                        }
                        runs.add(backup(empty, dir, "bench-" + store + "-" + r));
                        if (baseline != null) {
                            pairRatios.add(runs.get(r).seconds() / baselineRuns.get(r).seconds());
                        }
                    }
                    if (baseline != null) {
                        Run other = median(baselineRuns);
                        rows.add(row(size, store + ", baseline", other, floor.seconds(), "-", storageRequests(other.metrics()).toString()));
                        System.out.println(rows.get(rows.size() - 1));
                        List<Double> sorted = pairRatios.stream().sorted().toList();
                        System.out.printf("%s: this build / baseline, step time per pair: %s (median %.2f)%n", store,
                                pairRatios.stream().map(x -> String.format("%.2f", x)).toList(), sorted.get(sorted.size() / 2));
                    }
                    Run backup = median(runs);
                    int smallest = Boolean.getBoolean("bench.skipHeapProbes") ? 0 : smallestHeap(kbackup, dir, "bench-" + store);
                    rows.add(row(size, store, backup, floor.seconds(), smallest == 0 ? "-" : smallest + " MB",
                            storageRequests(backup.metrics()).toString()));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        System.out.printf("%nBackup benchmark: indexed API server double over HTTP, pages of 500, child JVMs with -Xmx256m; "
                + "median of %d runs each%n", repeats);
        System.out.println("| objects | run | objects | list/resources step s | objects/s | ratio to floor | process wall s "
                + "| CPU s: process / API server / Azurite | peak heap / max after GC MB | peak RSS MB "
                + "| smallest -Xmx that completes | storage requests |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        rows.forEach(System.out::println);
    }

    /**
     * One measured run.
     *
     * @param objects       objects listed or stored
     * @param seconds       the floor's list time, or the backup's resources step
     * @param jvm           what the child JVM cost
     * @param serverCpu     CPU seconds the API server double (this JVM) used meanwhile
     * @param azuriteCpu    CPU seconds Azurite used meanwhile
     * @param metrics       the backup's metrics file, or null
     */
    private record Run(long objects, double seconds, ChildJvm jvm, double serverCpu, double azuriteCpu, Path metrics) {
    }

    private static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Run::seconds));
        return sorted.get(sorted.size() / 2);
    }

    private static String row(int size, String what, Run run, double floorSeconds, String smallest, String requests) {
        ChildJvm jvm = run.jvm();
        return String.format("| %,d | %s | %,d | %.2f | %.0f | %s | %.1f | %.1f / %.1f / %.1f | %d / %d | %d | %s | %s |", size, what,
                run.objects(), run.seconds(), run.objects() / run.seconds(),
                run.metrics() == null ? "-" : String.format("%.2f", run.seconds() / floorSeconds), jvm.wallSeconds(),
                jvm.cpuSeconds(), run.serverCpu(), run.azuriteCpu(), jvm.peakHeapMb(), jvm.peakLiveHeapMb(),
                jvm.peakRssKb() / 1024, smallest, requests);
    }

    private static Run backup(Kbackup kbackup, Path dir, String name) throws Exception {
        Path metrics = dir.resolve(name + ".prom");
        Path gcLog = dir.resolve(name + "-gc.log");
        long server = ProcessCpu.millis(ProcessHandle.current());
        long azurite = Azurite.shared().cpuMillis();
        Process process = kbackup.with("--kbackup.metrics.file=" + metrics).spawn(ChildJvm.options(gcLog), "backup", "--name", name);
        ChildJvm jvm = ChildJvm.watch(process, gcLog);
        if (jvm.exitCode() != 0) {
            throw new IllegalStateException("backup " + name + " exited " + jvm.exitCode() + ": "
                    + Files.readString(kbackup.childLog(process)));
        }
        StepRecord step = StepRecord.of(dir, "backup", "resources", name);
        return new Run(step.written(), step.seconds(), jvm, (ProcessCpu.millis(ProcessHandle.current()) - server) / 1000.0,
                (Azurite.shared().cpuMillis() - azurite) / 1000.0, metrics);
    }

    /**
     * The smallest of a falling series of heap limits with which the same backup still completes: a peak heap at
     * {@code -Xmx256m} mostly shows how far G1 let the young generation grow, this shows what the run needs.
     */
    private static int smallestHeap(Kbackup kbackup, Path dir, String name) throws IOException, InterruptedException {
        int smallest = 0;
        for (int mb : HEAP_PROBES) {
            Path gcLog = dir.resolve(name + "-probe-" + mb + "-gc.log");
            List<String> options = new java.util.ArrayList<>(List.of("-Xmx" + mb + "m", "-Xlog:gc:file=" + gcLog));
            options.addAll(ImageJvm.flagsWithExplicitHeap());
            Process process = kbackup.spawn(options, "backup", "--name", name + "-probe-" + mb);
            if (ChildJvm.watch(process, gcLog).exitCode() != 0) {
                break;
            }
            smallest = mb;
        }
        return smallest;
    }

    private static Run floor(ApiServer api, Path dir, int repeat) throws IOException, InterruptedException {
        Path gcLog = dir.resolve("floor-" + repeat + "-gc.log");
        Path out = dir.resolve("floor-" + repeat + ".out");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ChildJvm.options(gcLog));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ListFloor.class.getName(), api.url(), "500"));
        long server = ProcessCpu.millis(ProcessHandle.current());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        ChildJvm jvm = ChildJvm.watch(process, gcLog);
        List<String> lines = Files.readAllLines(out);
        if (jvm.exitCode() != 0 || lines.isEmpty()) {
            throw new IllegalStateException("list floor failed: " + lines);
        }
        String[] result = lines.get(lines.size() - 1).split(" ");
        return new Run(Long.parseLong(result[0]), Double.parseDouble(result[1]), jvm,
                (ProcessCpu.millis(ProcessHandle.current()) - server) / 1000.0, 0, null);
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
