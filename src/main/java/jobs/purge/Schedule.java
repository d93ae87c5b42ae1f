package jobs.purge;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import org.springframework.scheduling.support.CronExpression;

/**
 * The backup schedule a policy stands for: the five-field cron expression of the backup CronJob, and its next run
 * times computed by Spring's {@link CronExpression} (UTC, as CronJobs default to).
 */
public final class Schedule {

    private final String cron;

    private Schedule(String cron) {
        this.cron = cron;
    }

    public static Schedule of(KbackupProperties.Policy policy) {
        int hour = Integer.parseInt(policy.time().substring(0, 2));
        int minute = Integer.parseInt(policy.time().substring(3, 5));
        long step = policy.frequency().toHours();
        if (policy.frequency().equals(Duration.ofDays(1))) {
            return new Schedule(minute + " " + hour + " * * *");
        }
        long first = hour % step;
        return new Schedule(minute + " " + (first == 0 ? "*" : String.valueOf(first)) + "/" + step + " * * *");
    }

    /** As a Kubernetes CronJob schedule. */
    public String cron() {
        return cron;
    }

    public List<Instant> next(Instant from, int count) {
        CronExpression expression = CronExpression.parse("0 " + cron);
        List<Instant> runs = new ArrayList<>();
        ZonedDateTime t = from.atZone(ZoneOffset.UTC);
        for (int i = 0; i < count; i++) {
            t = expression.next(t);
            runs.add(t.toInstant());
        }
        return runs;
    }
}
