package jobs.purge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jobs.store.BlobStore;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweep of a purge: deletes every pack that no restore point refers to (mark and sweep), after the expired
 * restore points' manifests are gone.
 *
 * <p>The race it closes: a backup refers to packs before its manifest lists them (they are in its job's restart
 * state until it finishes), so a sweep could delete a pack a running backup just wrote or found. Both sides write
 * before they read. The sweep marks itself under way ({@code packs/.sweep}, with a deadline), then reads every
 * manifest, and sweeps nothing if one is InProgress. A backup writes its InProgress manifest, then waits while a
 * sweep is marked, before it refers to any pack. So either the sweep sees the backup's manifest and stops, or the
 * backup sees the mark and waits for the sweep to end. A sweep stops deleting at its deadline, so a killed sweep's
 * mark holds backups up for that long at the most.
 *
 * <p>Every step is safe to kill: a pack is deleted only when no manifest refers to it, and whatever is left is
 * found again by the next run. A manifest that cannot be read keeps every pack (the sweep is deferred and says
 * why): it may be the only one referring to some.
 */
public final class PackSweep {

    /** How long a sweep may run; a backup waits at most this long for one. */
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    private static final int BATCH = 256;
    private static final Logger log = LoggerFactory.getLogger(PackSweep.class);

    private final RestorePoints restorePoints;
    private final Clock clock;

    public PackSweep(RestorePoints restorePoints, Clock clock) {
        this.restorePoints = restorePoints;
        this.clock = clock;
    }

    /**
     * What a sweep did.
     *
     * @param deferred  why it swept nothing (a backup in progress, an unreadable manifest), null when it swept
     * @param packs     packs deleted (or, in a dry run, that would be)
     * @param bytes     their stored bytes, indexes included
     * @param remaining packs still referred to
     */
    public record Result(String deferred, int packs, long bytes, int remaining) {
    }

    public Result sweep(boolean dryRun) {
        Packs packs = restorePoints.packs();
        Instant deadline = clock.instant().plus(MAX_DURATION);
        if (!dryRun) {
            packs.startSweep(deadline);
        }
        try {
            Set<String> referenced = new HashSet<>();
            Optional<String> deferred = mark(referenced);
            if (deferred.isPresent()) {
                log.info("Sweep of unreferenced packs deferred: {}", deferred.get());
                return new Result(deferred.get(), 0, 0, referenced.size());
            }
            Map<String, Long> stored = packs.stored();
            List<String> garbage = new ArrayList<>();
            long bytes = 0;
            for (Map.Entry<String, Long> pack : stored.entrySet()) {
                if (!referenced.contains(pack.getKey())) {
                    garbage.add(pack.getKey());
                    bytes += pack.getValue();
                }
            }
            int deleted = 0;
            if (!dryRun) {
                for (int from = 0; from < garbage.size(); from += BATCH) {
                    if (!clock.instant().isBefore(deadline)) {
                        log.warn("Sweep reached its deadline with {} unreferenced packs left for the next purge", garbage.size() - from);
                        break;
                    }
                    List<String> batch = garbage.subList(from, Math.min(garbage.size(), from + BATCH));
                    packs.delete(batch);
                    deleted += batch.size();
                }
            } else {
                deleted = garbage.size();
            }
            if (deleted > 0) {
                log.info("Swept {} packs no restore point refers to ({} bytes)", deleted, bytes);
            }
            return new Result(null, deleted, bytes, stored.size() - garbage.size());
        } finally {
            if (!dryRun) {
                packs.endSweep();
            }
        }
    }

    /** Collects the packs every manifest refers to; the reason to sweep nothing, if there is one. */
    private Optional<String> mark(Set<String> referenced) {
        BlobStore store = restorePoints.store();
        for (String name : store.children("backups/")) {
            Manifest manifest;
            try {
                Optional<Manifest> found = restorePoints.find(name);
                if (found.isEmpty()) {
                    continue;
                }
                manifest = found.get();
            } catch (RuntimeException e) {
                return Optional.of("the manifest of restore point '" + name + "' cannot be read (" + e.getMessage() + ")");
            }
            if (manifest.phase() == Phase.InProgress) {
                return Optional.of("backup '" + name + "' is in progress");
            }
            manifest.chunks().stream().filter(c -> Packs.isPack(c.blob())).forEach(c -> referenced.add(Packs.address(c.blob())));
        }
        return Optional.empty();
    }
}
