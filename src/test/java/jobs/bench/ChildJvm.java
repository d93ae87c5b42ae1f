package jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.testing.ImageJvm;
import jobs.testing.ProcessCpu;

/**
 * What a benchmarked child JVM cost: wall time, CPU time and peak resident set (VmHWM), polled from /proc while it
 * runs, and, from its GC log, the most heap in use before a collection and the most still in use after one.
 */
record ChildJvm(int exitCode, double wallSeconds, double cpuSeconds, long peakRssKb, long peakHeapMb, long peakLiveHeapMb) {

    private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    /**
     * JVM options for a child whose heap is to be measured: the backup's 256 MB, the flags the container image runs
     * the JVM with, and a GC log, plus whatever {@code BENCH_CHILD_OPTIONS} adds (a flight recording, to see where
     * the time goes). The list floor runs with the same options, so both JVMs compile and collect alike.
     */
    static List<String> options(Path gcLog) {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog));
        options.addAll(ImageJvm.flagsWithExplicitHeap());
        String extra = System.getenv("BENCH_CHILD_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return options;
    }

    static ChildJvm watch(Process process, Path gcLog) throws IOException, InterruptedException {
        long start = System.nanoTime();
        AtomicLong peakRss = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        Thread poller = new Thread(() -> {
            while (process.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            peakRss.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                        }
                    }
                    cpu.accumulateAndGet(ProcessCpu.millis(process.toHandle()), Math::max);
                    Thread.sleep(20);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    return; // the process has gone
                }
            }
        });
        poller.setDaemon(true);
        poller.start();
        int code = process.waitFor();
        double wall = (System.nanoTime() - start) / 1e9;
        poller.join();
        long peakHeap = 0;
        long peakLive = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                peakHeap = Math.max(peakHeap, mb(m.group(1), m.group(2)));
                peakLive = Math.max(peakLive, mb(m.group(3), m.group(4)));
            }
        }
        return new ChildJvm(code, wall, cpu.get() / 1000.0, peakRss.get(), peakHeap, peakLive);
    }

    private static long mb(String value, String unit) {
        long v = Long.parseLong(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
