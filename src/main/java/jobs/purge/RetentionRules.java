package jobs.purge;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import jobs.store.Manifest;
import jobs.store.Phase;

/**
 * Decides which restore points a purge deletes. A pure function of the restore points, the time and the rules, so
 * it is tested over random histories and a second run over what is left deletes nothing.
 *
 * <p>Kept: what has not expired; an InProgress backup whose job still runs, or that is younger than the
 * retention; the newest {@code keepLast} Completed restore points; the first Completed backup of each of the last
 * {@code keepDaily} days, {@code keepWeekly} weeks and {@code keepMonthly} months. Deleted: everything else that
 * has expired (Failed and PartiallyFailed ones too), incomplete ones older than the retention, and whatever a
 * previous purge left in Deleting.
 *
 * @param retention   default retention, for restore points without expiresAt and incomplete ones
 * @param override    when set, expiry is startedAt + override for every restore point ({@code purge --retention})
 * @param keepLast    newest Completed restore points always kept
 * @param keepDaily   days whose first Completed backup is kept
 * @param keepWeekly  ISO weeks whose first Completed backup is kept
 * @param keepMonthly months whose first Completed backup is kept
 */
public record RetentionRules(Duration retention, Duration override, int keepLast, int keepDaily, int keepWeekly,
                             int keepMonthly) {

    public List<Decision> decide(List<Manifest> restorePoints, Instant now, Set<String> running) {
        Map<String, String> kept = protectedByRules(restorePoints);
        List<Decision> decisions = new ArrayList<>();
        for (Manifest m : restorePoints) {
            decisions.add(decide(m, now, running, kept));
        }
        return decisions;
    }

    private Decision decide(Manifest m, Instant now, Set<String> running, Map<String, String> kept) {
        if (m.phase() == Phase.Deleting) {
            return new Decision(m.name(), true, "unfinished-deletion", "deletion started by an earlier purge");
        }
        Duration keep = override != null ? override : retention;
        if (m.phase() == Phase.InProgress) {
            if (running.contains(m.name())) {
                return new Decision(m.name(), false, "running", "backup still running");
            }
            Instant limit = m.startedAt().plus(keep);
            return limit.isAfter(now)
                    ? new Decision(m.name(), false, "incomplete-recent", "incomplete, not older than the retention (until " + limit + ")")
                    : new Decision(m.name(), true, "incomplete", "incomplete, older than the retention");
        }
        Instant expiry = override != null ? m.startedAt().plus(override)
                : m.expiresAt() != null ? m.expiresAt() : m.startedAt().plus(retention);
        if (expiry.isAfter(now)) {
            return new Decision(m.name(), false, "not-expired", "not expired (expires " + expiry + ")");
        }
        String protection = kept.get(m.name());
        if (protection != null) {
            return new Decision(m.name(), false, protection.substring(0, protection.indexOf('|')), protection.substring(protection.indexOf('|') + 1));
        }
        return new Decision(m.name(), true, "expired", m.phase() + ", expired at " + expiry);
    }

    /** Restore points kept whatever their expiry, with {@code category|reason} of the rule that keeps each. */
    private Map<String, String> protectedByRules(List<Manifest> restorePoints) {
        List<Manifest> completed = restorePoints.stream().filter(m -> m.phase() == Phase.Completed)
                .sorted(Comparator.comparing(Manifest::startedAt).reversed()).toList();
        Map<String, String> kept = new HashMap<>();
        completed.stream().limit(keepLast).forEach(m -> kept.put(m.name(), "keep-last|newest Completed restore point (keep-last " + keepLast + ")"));
        keepFirstOf(completed, keepDaily, d -> d.toString(), "keep-daily|first backup of day ", kept);
        keepFirstOf(completed, keepWeekly, d -> d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
                "keep-weekly|first backup of week ", kept);
        keepFirstOf(completed, keepMonthly, d -> d.getYear() + "-" + String.format("%02d", d.getMonthValue()),
                "keep-monthly|first backup of month ", kept);
        return kept;
    }

    /** For the newest {@code periods} periods that have Completed backups, keeps the earliest of each. */
    private static void keepFirstOf(List<Manifest> newestFirst, int periods, Function<LocalDate, String> period,
                                    String reason, Map<String, String> kept) {
        if (periods == 0) {
            return;
        }
        Map<String, Manifest> first = new LinkedHashMap<>();
        for (Manifest m : newestFirst) {
            String p = period.apply(LocalDate.ofInstant(m.startedAt(), ZoneOffset.UTC));
            if (first.size() == periods && !first.containsKey(p)) {
                break;
            }
            first.put(p, m);
        }
        first.forEach((p, m) -> kept.putIfAbsent(m.name(), reason + p));
    }
}
