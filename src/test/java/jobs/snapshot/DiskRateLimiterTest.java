package jobs.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiskRateLimiterTest {

    /** A clock the sleeper moves forward, so waiting takes no real time. */
    static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-11-27T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void theEighthSnapshotOfADiskWaitsForTheFiveMinuteWindow() throws InterruptedException {
        MovingClock clock = new MovingClock();
        List<Duration> waits = new ArrayList<>();
        DiskRateLimiter limiter = new DiskRateLimiter(clock, d -> {
            waits.add(d);
            clock.now = clock.now.plus(d);
        });
        Instant start = clock.now;

        for (int i = 0; i < 7; i++) {
            limiter.acquire("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/a");
            clock.now = clock.now.plusSeconds(10);
        }
        limiter.acquire("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/B");
        assertThat(waits).as("another disk has its own window").isEmpty();

        limiter.acquire("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/A");

        assertThat(waits).containsExactly(Duration.ofMinutes(5).minusSeconds(70));
        assertThat(clock.now).isEqualTo(start.plus(Duration.ofMinutes(5)));
    }

    @Test
    void snapshotNamesAreDeterministicAndWithinLimits() {
        assertThat(SnapshotNames.of("nightly", "pv-data", 80)).isEqualTo("kbackup-nightly-pv-data");
        String longName = SnapshotNames.of("backup-20261127000000", "pvc-" + "0123456789abcdef".repeat(4), 80);
        assertThat(longName).hasSizeLessThanOrEqualTo(80).startsWith("kbackup-backup-20261127000000-pvc-0123")
                .isEqualTo(SnapshotNames.of("backup-20261127000000", "pvc-" + "0123456789abcdef".repeat(4), 80));
        assertThat(longName).isNotEqualTo(SnapshotNames.of("backup-20261127000000", "pvc-" + "0123456789abcdef".repeat(4) + "x", 80));
    }
}
