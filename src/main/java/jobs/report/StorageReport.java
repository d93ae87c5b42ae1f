package jobs.report;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jobs.store.Manifest;

/**
 * What storage holds, from the restore points themselves (storage is their source of truth, not the job
 * repository): the bytes each day's backups added, and per restore point how many objects changed since the one
 * before it of the same selection.
 *
 * @param perDay bytes and objects stored per day (UTC), oldest first
 * @param points every restore point of storage format 2, oldest first
 */
public record StorageReport(List<Day> perDay, List<Point> points) {

    /**
     * @param restorePoints restore points started that day
     * @param newBytes      bytes their backups stored (packs no earlier restore point had)
     * @param newObjects    objects stored anew
     */
    public record Day(LocalDate day, int restorePoints, long newBytes, long newObjects) {
    }

    /**
     * @param changes objects added or changed since the previous restore point of the same selection (stored anew),
     *                plus the net number removed; null for the first of its selection
     */
    public record Point(String name, String startedAt, long objects, long newBytes, Long changes) {
    }

    public static StorageReport of(List<Manifest> manifests) {
        List<Manifest> sized = manifests.stream().filter(m -> m.storage() != null && m.startedAt() != null)
                .sorted(Comparator.comparing(Manifest::startedAt)).toList();
        Map<LocalDate, Day> days = new TreeMap<>();
        Map<Object, Manifest> previous = new java.util.HashMap<>();
        List<Point> points = new ArrayList<>();
        for (Manifest m : sized) {
            LocalDate day = m.startedAt().atZone(ZoneOffset.UTC).toLocalDate();
            days.merge(day, new Day(day, 1, m.storage().newBytes(), m.storage().newObjects()),
                    (a, b) -> new Day(day, a.restorePoints() + 1, a.newBytes() + b.newBytes(), a.newObjects() + b.newObjects()));
            Manifest before = previous.put(m.selection(), m);
            Long changes = null;
            if (before != null) {
                // Added or changed objects are the ones stored anew; removals show as a smaller count.
                changes = m.storage().newObjects() + Math.max(0, before.itemCount() - m.itemCount());
            }
            points.add(new Point(m.name(), m.startedAt().toString(), m.itemCount(), m.storage().newBytes(), changes));
        }
        return new StorageReport(List.copyOf(days.values()), points);
    }
}
