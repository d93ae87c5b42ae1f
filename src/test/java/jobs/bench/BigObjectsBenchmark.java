package jobs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.HelmSecrets;
import jobs.testing.ImageJvm;
import jobs.testing.Kbackup;

/**
 * Memory against object size: a namespace of Helm-release-like Secrets (random, so incompressible, base64 data),
 * backed up with the default settings (pages of 500, chunks of 2,000 objects or 4 MB) in a child JVM with
 * {@code -Xmx256m} and the image's flags. The same number of Secrets at 1 KB and at 1 MB: peak heap and heap after
 * collections from the GC log, and the smallest heap that still completes. Sizes: {@code -Dbench.bigObjects=2000};
 * {@code -Dbench.skipHeapProbes=true} leaves out the search for the smallest heap. {@code -Dbench.bigObjects.longRun=N}
 * adds N Secrets of 1 KB: 2,000 of them back up within the JVM's start-up, so their peak is start-up's, and a run
 * of small objects as long as the 1 MB one shows what a backup past start-up holds whatever the size of its objects.
 */
final class BigObjectsBenchmark {

    private static final int[] HEAP_PROBES = {192, 128, 96, 64, 48, 40, 32};

    private BigObjectsBenchmark() {
    }

    static void run() throws Exception {
        int count = Integer.getInteger("bench.bigObjects", 2000);
        List<String> rows = new ArrayList<>();
        int longRun = Integer.getInteger("bench.bigObjects.longRun", 0);
        List<int[]> runs = new ArrayList<>(List.of(new int[] {count, 1024}, new int[] {count, 1024 * 1024}));
        if (longRun > 0) {
            runs.add(new int[] {longRun, 1024});
        }
        for (int[] run : runs) {
            int size = run[1];
            int secrets = run[0];
            Path dir = Files.createTempDirectory("kbackup-bench-big-" + size);
            try (ApiServer api = ApiServer.startIndexed()) {
                HelmSecrets.load(api, "helm", secrets, size);
                Kbackup kbackup = Kbackup.filesystem(dir, api);
                Path gcLog = dir.resolve("run-gc.log");
                long started = System.nanoTime();
                Process process = kbackup.spawn(ChildJvm.options(gcLog), "backup", "--name", "big");
                ChildJvm jvm = ChildJvm.watch(process, gcLog);
                if (jvm.exitCode() != 0) {
                    throw new IllegalStateException("backup exited " + jvm.exitCode() + ": " + Files.readString(kbackup.childLog(process)));
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                int smallest = Boolean.getBoolean("bench.skipHeapProbes") ? 0 : smallestHeap(kbackup, dir);
                rows.add(String.format("| %,d | %s | %,.0f MB | %.1f | %d | %d | %d | %s |", secrets, size == 1024 ? "1 KB" : "1 MB",
                        (double) secrets * size / (1024 * 1024), seconds, jvm.peakHeapMb(), jvm.peakLiveHeapMb(),
                        jvm.peakRssKb() / 1024, smallest == 0 ? "-" : smallest + " MB"));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        System.out.println("\nBig objects: Secrets of random base64 data in one namespace, default settings, child JVM -Xmx256m");
        System.out.println("| secrets | each | data | wall s | peak heap MB | max heap after GC MB | peak RSS MB | smallest -Xmx that completes |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
    }

    private static int smallestHeap(Kbackup kbackup, Path dir) throws Exception {
        int smallest = 0;
        for (int mb : HEAP_PROBES) {
            Path gcLog = dir.resolve("probe-" + mb + "-gc.log");
            List<String> options = new ArrayList<>(List.of("-Xmx" + mb + "m", "-Xlog:gc:file=" + gcLog));
            options.addAll(ImageJvm.flagsWithExplicitHeap());
            Process process = kbackup.spawn(options, "backup", "--name", "probe-" + mb);
            if (ChildJvm.watch(process, gcLog).exitCode() != 0) {
                break;
            }
            smallest = mb;
        }
        return smallest;
    }
}
