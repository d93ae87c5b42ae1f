package jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a benchmarked child JVM cost: wall time, peak resident set (VmHWM, polled from /proc while it runs) and, from
 * its GC log, the most heap in use before a collection and the most still live after one.
 */
record ChildJvm(int exitCode, double wallSeconds, long peakRssKb, long peakHeapMb, long peakLiveHeapMb) {

    private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    /** JVM options for a child whose heap is to be measured: the backup's 256 MB and a GC log. */
    static List<String> options(Path gcLog) {
        return List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog);
    }

    static ChildJvm watch(Process process, Path gcLog) throws IOException, InterruptedException {
        long start = System.nanoTime();
        AtomicLong peakRss = new AtomicLong();
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        Thread poller = new Thread(() -> {
            while (process.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            peakRss.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                        }
                    }
                    Thread.sleep(50);
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
        return new ChildJvm(code, wall, peakRss.get(), peakHeap, peakLive);
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
