package jobs.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps incremental snapshots under Azure's limit of 7 per disk in 5 minutes: a sliding window per disk that
 * makes a caller wait for a free slot instead of collecting a throttling error.
 */
final class DiskRateLimiter {

    static final int MAX_PER_WINDOW = 7;
    static final Duration WINDOW = Duration.ofMinutes(5);

    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, Deque<Instant>> recent = new HashMap<>();

    DiskRateLimiter(Clock clock, Sleeper sleeper) {
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Blocks until one more snapshot of {@code disk} fits in the window, then records it. */
    void acquire(String disk) throws InterruptedException {
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                Deque<Instant> times = recent.computeIfAbsent(disk.toLowerCase(), d -> new ArrayDeque<>());
                while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
                    times.removeFirst();
                }
                if (times.size() < MAX_PER_WINDOW) {
                    times.addLast(now);
                    return;
                }
                wait = Duration.between(now, times.peekFirst().plus(WINDOW));
            }
            sleeper.sleep(wait);
        }
    }
}
