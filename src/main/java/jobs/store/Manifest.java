package jobs.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import jobs.filter.Selection;
import jobs.hooks.HookResult;

/**
 * The index of one restore point, stored as {@code backups/<name>/manifest.json}. It is written when a backup
 * starts (phase InProgress) and rewritten last, once every chunk is stored: a restore point is complete only when
 * its manifest says so, and only the chunks it lists (with their SHA-256) belong to it.
 *
 * @param formatVersion storage format version, {@value #FORMAT_VERSION} for this code
 * @param name          restore point name
 * @param phase         where it stands
 * @param startedAt     when the backup started
 * @param completedAt   when the manifest was finished, null while in progress
 * @param expiresAt     when the retention purge may delete it
 * @param cluster       API server address it was taken from
 * @param selection     what the backup was asked to hold
 * @param itemCount     objects stored
 * @param resources     per resource type: how to address it and how many objects
 * @param chunks        the chunk blobs, in order
 * @param volumes       persistent volumes and their snapshots
 * @param errors        what could not be backed up, and why (the restore point is then PartiallyFailed)
 * @param warnings      what was left out without being asked for (an API group that did not answer), and why
 * @param hooks         every backup hook run, in order per pod (a failure declared Fail makes it PartiallyFailed)
 * @param storage       the restore point's size: logical, referenced and new bytes (null before format 2)
 * @param origin        where an imported restore point came from; null for kbackup's own backups
 */
public record Manifest(int formatVersion, String name, Phase phase, Instant startedAt, Instant completedAt,
                       Instant expiresAt, String cluster, Selection selection, long itemCount,
                       List<ResourceCount> resources, List<ChunkRef> chunks, List<VolumeRecord> volumes,
                       List<ItemError> errors, List<Warning> warnings, List<HookResult> hooks, Storage storage,
                       Origin origin) {

    /** 2: objects in content-addressed packs shared by restore points; 1: chunks of a restore point's own. */
    public static final int FORMAT_VERSION = 2;

    public Manifest {
        resources = resources == null ? List.of() : List.copyOf(resources);
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        errors = errors == null ? List.of() : List.copyOf(errors);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        hooks = hooks == null ? List.of() : List.copyOf(hooks);
    }

    /** A manifest for a backup that has just started. */
    public static Manifest started(String name, Instant startedAt, Instant expiresAt, String cluster, Selection selection) {
        return new Manifest(FORMAT_VERSION, name, Phase.InProgress, startedAt, null, expiresAt, cluster, selection, 0,
                null, null, null, null, null, null, null, null);
    }

    /** A manifest for an import that has just started: dated as the backup it imports, and naming it. */
    public static Manifest importing(String name, Instant expiresAt, String cluster, Selection selection, Origin origin) {
        return new Manifest(FORMAT_VERSION, name, Phase.InProgress, origin.startedAt(), null, expiresAt, cluster, selection, 0,
                null, null, null, null, null, null, null, origin);
    }

    public Manifest withPhase(Phase newPhase) {
        return new Manifest(formatVersion, name, newPhase, startedAt, completedAt, expiresAt, cluster, selection,
                itemCount, resources, chunks, volumes, errors, warnings, hooks, storage, origin);
    }

    /** The manifest of a failed backup that is being resumed: in progress again, its old failure cleared. */
    public Manifest resumed() {
        return new Manifest(formatVersion, name, Phase.InProgress, startedAt, null, expiresAt, cluster, selection,
                itemCount, resources, chunks, volumes, null, null, null, storage, origin);
    }

    public Manifest failed(Instant at, List<ItemError> failures) {
        return new Manifest(formatVersion, name, Phase.Failed, startedAt, at, expiresAt, cluster, selection, itemCount,
                resources, chunks, volumes, failures, warnings, hooks, storage, origin);
    }

    /**
     * The packs a failed backup had stored and referred to when it stopped, kept so that a purge's sweep spares them
     * until the backup is resumed or purged: a resumed run goes on from them.
     */
    public Manifest holding(List<ChunkRef> packs) {
        return new Manifest(formatVersion, name, phase, startedAt, completedAt, expiresAt, cluster, selection, itemCount,
                resources, packs, volumes, errors, warnings, hooks, storage, origin);
    }

    /** Being deleted by the purge, kept with the reasons its snapshots could not be deleted yet. */
    public Manifest deleting(List<ItemError> failures) {
        return new Manifest(formatVersion, name, Phase.Deleting, startedAt, completedAt, expiresAt, cluster, selection,
                itemCount, resources, chunks, volumes, failures, warnings, hooks, storage, origin);
    }

    public Manifest finished(Instant at, long items, List<ResourceCount> counts, List<ChunkRef> chunkRefs,
                             List<VolumeRecord> volumeRecords, List<ItemError> itemErrors, List<Warning> leftOut,
                             List<HookResult> hookResults, Storage size) {
        boolean clean = itemErrors.isEmpty() && volumeRecords.stream().noneMatch(VolumeRecord::isFailed)
                && hookResults.stream().noneMatch(HookResult::stops);
        return new Manifest(formatVersion, name, clean ? Phase.Completed : Phase.PartiallyFailed, startedAt, at,
                expiresAt, cluster, selection, items, counts, chunkRefs, volumeRecords, itemErrors, leftOut, hookResults, size, origin);
    }

    /**
     * Where an imported restore point came from.
     *
     * @param tool          the tool that wrote it ({@value #VELERO})
     * @param backup        its name there
     * @param location      where it was read: a file, or a storage location's prefix
     * @param formatVersion its format version there
     * @param phase         its phase there
     * @param startedAt     when that backup started
     * @param completedAt   when it completed
     */
    public record Origin(String tool, String backup, String location, String formatVersion, String phase,
                         Instant startedAt, Instant completedAt) {

        public static final String VELERO = "velero";
    }

    /**
     * Objects of one resource type in the restore point.
     *
     * @param group      API group, empty for core
     * @param version    version the objects were read at
     * @param resource   plural
     * @param kind       kind
     * @param namespaced whether namespaced
     * @param count      objects stored
     */
    public record ResourceCount(String group, String version, String resource, String kind, boolean namespaced,
                                long count) {

        public String qualifiedName() {
            return group == null || group.isEmpty() ? resource : resource + "." + group;
        }
    }

    /**
     * One chunk blob.
     *
     * @param blob      key relative to the restore point's folder
     * @param sha256    hex SHA-256 of the stored bytes
     * @param items     objects in it
     * @param bytes     stored size
     * @param resources objects per resource type (plural.group), so a restore reads only the chunks it needs
     * @param keyId     id of the key the chunk is encrypted with (AES-256-GCM), null when not encrypted
     * @param ranges    the lines of the blob that belong to this restore point, as pairs of from (inclusive) and to
     *                  (exclusive) line numbers; null for every line. A pack is shared by restore points, and each
     *                  takes the lines it holds, so an object changed since the pack was written is left out here
     *                  and found in a newer pack.
     */
    public record ChunkRef(String blob, String sha256, long items, long bytes, Map<String, Long> resources, String keyId,
                           List<Integer> ranges) {

        public ChunkRef {
            resources = resources == null ? Map.of() : Map.copyOf(resources);
            ranges = ranges == null ? null : List.copyOf(ranges);
        }

        /** The lines of the blob that belong to the restore point. */
        public BitSet lines() {
            BitSet lines = new BitSet();
            if (ranges == null) {
                lines.set(0, (int) items);
            } else {
                for (int i = 0; i < ranges.size(); i += 2) {
                    lines.set(ranges.get(i), ranges.get(i + 1));
                }
            }
            return lines;
        }

        /** The same blob, holding only {@code lines} (counts per type are left as they were: a reading aid only). */
        public ChunkRef holding(BitSet lines) {
            return new ChunkRef(blob, sha256, lines.cardinality(), bytes, resources, keyId, ranges(lines));
        }

        /** Lines as pairs of from (inclusive) and to (exclusive). */
        public static List<Integer> ranges(BitSet lines) {
            List<Integer> ranges = new ArrayList<>();
            for (int from = lines.nextSetBit(0); from >= 0; from = lines.nextSetBit(lines.nextClearBit(from))) {
                ranges.add(from);
                ranges.add(lines.nextClearBit(from));
            }
            return ranges;
        }

        /** Whether line {@code line} of the blob belongs to the restore point. */
        public boolean holds(int line) {
            if (ranges == null) {
                return true;
            }
            for (int i = 0; i < ranges.size(); i += 2) {
                if (line < ranges.get(i)) {
                    return false;
                }
                if (line < ranges.get(i + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * What a restore point costs in storage (format 2; null for format 1, which has no sharing).
     *
     * @param logicalBytes    the uncompressed JSON of its objects
     * @param referencedBytes stored bytes of every pack it refers to, its own and shared ones
     * @param newBytes        stored bytes of the packs this backup wrote
     * @param newPacks        packs this backup wrote
     * @param newObjects      objects this backup wrote; the rest were found stored already
     */
    public record Storage(long logicalBytes, long referencedBytes, long newBytes, int newPacks, long newObjects) {

        /** Logical bytes per new stored byte: how much sharing saved, infinite when nothing was new. */
        public double dedupRatio() {
            return newBytes == 0 ? Double.POSITIVE_INFINITY : (double) logicalBytes / newBytes;
        }
    }

    /**
     * A persistent volume of the restore point.
     *
     * @param persistentVolume PV name
     * @param namespace        namespace of its claim
     * @param claim            PVC name
     * @param driver           CSI driver or in-tree plugin
     * @param provider         snapshot provider: azure-disk, csi or none
     * @param snapshotId       snapshot resource id or handle, null when none
     * @param phase            Completed, Failed or Skipped
     * @param message          why, when not Completed
     * @param details          what a restore needs besides the id (snapshot name, region, VolumeSnapshot, ...)
     */
    public record VolumeRecord(String persistentVolume, String namespace, String claim, String driver, String provider,
                               String snapshotId, String phase, String message, Map<String, String> details) {

        public static final String COMPLETED = "Completed";
        public static final String FAILED = "Failed";
        public static final String SKIPPED = "Skipped";

        public VolumeRecord {
            details = details == null ? Map.of() : Map.copyOf(details);
        }

        public boolean isFailed() {
            return FAILED.equals(phase);
        }

        public boolean isCompleted() {
            return COMPLETED.equals(phase);
        }
    }

    /**
     * Something that could not be done for one object or resource type.
     *
     * @param resource  resource type
     * @param namespace namespace, may be null
     * @param name      object name, null when the whole type failed
     * @param message   the cause
     */
    public record ItemError(String resource, String namespace, String name, String message) {
    }

    /**
     * Something a backup left out that it was not asked for by name, so the restore point is still Completed: an
     * API group whose discovery failed, or a type whose list the server refused.
     *
     * @param resource a group version ({@code metrics.k8s.io/v1beta1}) or a resource type ({@code widgets.example.com})
     * @param message  the cause
     */
    public record Warning(String resource, String message) {
    }
}
