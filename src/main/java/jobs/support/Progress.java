package jobs.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Counts work per kind (resource type, volume, ...) and reports done / total where known, rate and elapsed time
 * at most once per interval, so a long step is never silent and never floods the log.
 */
public final class Progress {

    private final String label;
    private final Clock clock;
    private final Duration interval;
    private final Consumer<String> sink;
    private final Instant start;
    private final Map<String, Long> counts = new TreeMap<>();
    private long done;
    private long total = -1;
    private Instant lastReport;
    private boolean finished;

    public Progress(String label, Clock clock, Duration interval, Consumer<String> sink) {
        this.label = label;
        this.clock = clock;
        this.interval = interval;
        this.sink = sink;
        this.start = clock.instant();
        this.lastReport = start;
    }

    public void total(long expected) {
        this.total = expected;
    }

    public synchronized void add(String kind, long n) {
        counts.merge(kind, n, Long::sum);
        done += n;
        Instant now = clock.instant();
        if (Duration.between(lastReport, now).compareTo(interval) >= 0) {
            lastReport = now;
            sink.accept(line(now));
        }
    }

    /** Reports the final counts once, whatever the interval. */
    public synchronized void finish() {
        if (!finished) {
            finished = true;
            sink.accept(line(clock.instant()));
        }
    }

    private String line(Instant now) {
        Duration elapsed = Duration.between(start, now);
        double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
        double rate = done / seconds;
        StringBuilder s = new StringBuilder(label).append(": ").append(done);
        if (total >= 0) {
            s.append(" / ").append(total);
        }
        s.append(String.format(" done, %.0f/s, elapsed %ds", rate, elapsed.toSeconds()));
        if (total > done && rate > 0) {
            s.append(String.format(", ETA %ds", (long) ((total - done) / rate)));
        }
        if (!counts.isEmpty()) {
            s.append(" (").append(counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "))).append(')');
        }
        return s.toString();
    }
}
