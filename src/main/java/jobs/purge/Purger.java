package jobs.purge;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jobs.snapshot.SnapshotException;
import jobs.snapshot.Snapshotter;
import jobs.store.Manifest;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.Phase;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a purge in an order that makes a crash safe: the restore point is marked Deleting, its snapshots
 * are deleted, then its blobs, the manifest last. A purge that dies half way leaves a Deleting manifest that the
 * next run finishes; a snapshot or blob already gone counts as deleted. A snapshot that cannot be deleted keeps
 * its restore point in Deleting with the reason, to be retried by the next run.
 * <p>A restore point that a restore is reading ({@link ReaderMarks}) is kept. Both sides write before they read:
 * a restore marks, then checks the manifest is not Deleting; the purge marks Deleting, then checks for marks (and
 * puts the phase back if it finds one), so at least one of them sees the other.
 */
public final class Purger {

    private static final Logger log = LoggerFactory.getLogger(Purger.class);

    private final RestorePoints restorePoints;
    private final ReaderMarks readers;
    private final Snapshotter snapshotter;
    private final Clock clock;

    public Purger(RestorePoints restorePoints, ReaderMarks readers, Snapshotter snapshotter, Clock clock) {
        this.restorePoints = restorePoints;
        this.readers = readers;
        this.snapshotter = snapshotter;
        this.clock = clock;
    }

    /** A decision to keep a restore point that restores are reading, or null when none is. */
    private Decision inUse(String name) {
        List<String> reading = readers.active(name);
        if (reading.isEmpty()) {
            return null;
        }
        String reason = "being read by restore " + String.join(", ", reading);
        log.info("Keeping restore point {}: {}", name, reason);
        return new Decision(name, false, "in-use", reason);
    }

    public PurgeSummary purge(RetentionRules rules, java.util.Set<String> running, boolean dryRun) {
        List<Manifest> all = restorePoints.list();
        List<Decision> decisions = rules.decide(all, clock.instant(), running);
        List<Decision> outcome = new ArrayList<>();
        long bytes = 0;
        int snapshots = 0;
        int deleted = 0;
        for (Decision decision : decisions) {
            Decision reading = decision.delete() ? inUse(decision.name()) : null;
            if (reading != null) {
                outcome.add(reading);
                continue;
            }
            if (!decision.delete() || dryRun) {
                outcome.add(decision);
                deleted += decision.delete() ? 1 : 0;
                continue;
            }
            Manifest before = restorePoints.find(decision.name()).orElse(null);
            if (before == null) {
                continue;
            }
            Manifest manifest = restorePoints.update(decision.name(),
                    m -> m.phase() == Phase.Deleting ? m : m.withPhase(Phase.Deleting)).orElse(null);
            if (manifest == null) {
                continue;
            }
            Decision inUse = inUse(decision.name());
            if (inUse != null) {
                // A restore marked it between the first look and Deleting: it reads on, the deletion waits.
                if (before.phase() != Phase.Deleting) {
                    restorePoints.update(decision.name(), m -> m.phase() == Phase.Deleting ? m.withPhase(before.phase()) : m);
                }
                outcome.add(inUse);
                continue;
            }
            List<ItemError> failures = new ArrayList<>();
            for (VolumeRecord volume : manifest.volumes()) {
                if (volume.snapshotId() == null) {
                    continue;
                }
                try {
                    if (!volume.provider().equals(snapshotter.provider())) {
                        throw new SnapshotException("its provider " + volume.provider() + " is not the configured "
                                + snapshotter.provider());
                    }
                    snapshotter.delete(volume.snapshotId(), volume.details());
                    snapshots++;
                } catch (SnapshotException e) {
                    failures.add(new ItemError("snapshot", volume.namespace(), volume.persistentVolume(), e.getMessage()));
                }
            }
            if (!failures.isEmpty()) {
                restorePoints.update(decision.name(), m -> m.deleting(failures));
                String reason = "kept in Deleting: " + failures.get(0).message();
                log.warn("Restore point {} {}", decision.name(), reason);
                outcome.add(new Decision(decision.name(), false, "snapshot-delete-failed", reason));
                continue;
            }
            bytes += restorePoints.deleteAll(decision.name());
            deleted++;
            outcome.add(decision);
            log.info("Deleted restore point {} ({})", decision.name(), decision.reason());
        }
        Map<String, Integer> kept = new TreeMap<>();
        outcome.stream().filter(d -> !d.delete()).forEach(d -> kept.merge(d.category(), 1, Integer::sum));
        // The manifests first, then the packs: a pack is garbage only once no manifest refers to it.
        PackSweep.Result sweep = new PackSweep(restorePoints, clock).sweep(dryRun);
        return new PurgeSummary(dryRun, all.size(), deleted, kept, bytes + sweep.bytes(), snapshots, outcome, sweep);
    }
}
