package jobs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used so far (user + system), from /proc, for benchmarks that compare processes. */
public final class ProcessCpu {

    /** Linux reports /proc times in clock ticks of 1/100 s on every mainstream architecture. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** Milliseconds of CPU used by {@code pid} and its descendants; -1 once the process has gone. */
    public static long millis(ProcessHandle process) {
        long total = own(process.pid());
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : process.descendants().toList()) {
            total += Math.max(0, own(child.pid()));
        }
        return total;
    }

    private static long own(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
