package jobs.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jobs.filter.Selection;
import jobs.hooks.HookResult;
import jobs.store.Manifest;
import jobs.store.Manifest.ChunkRef;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.Manifest.Warning;
import jobs.store.Phase;

/**
 * What {@code list} and {@code describe} print of a restore point: a stable JSON shape for scripts, and tables for
 * people.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record RestorePointView(String name, Phase phase, Instant startedAt, Instant completedAt, Instant expiresAt,
                        long itemCount, Map<String, Long> resources, List<VolumeRecord> volumes, List<ItemError> errors,
                        List<Warning> warnings, List<HookResult> hooks,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String cluster,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Selection selection,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<ChunkRef> chunks,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> damage,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Manifest.Storage storage,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Manifest.Origin origin) {

    static RestorePointView summary(Manifest m) {
        return new RestorePointView(m.name(), m.phase(), m.startedAt(), m.completedAt(), m.expiresAt(), m.itemCount(),
                counts(m), m.volumes(), m.errors(), m.warnings(), m.hooks(), null, null, null, null, m.storage(), m.origin());
    }

    static RestorePointView detail(Manifest m, List<String> damage) {
        return new RestorePointView(m.name(), m.phase(), m.startedAt(), m.completedAt(), m.expiresAt(), m.itemCount(),
                counts(m), m.volumes(), m.errors(), m.warnings(), m.hooks(), m.cluster(), m.selection(), m.chunks(), damage, m.storage(),
                m.origin());
    }

    private static Map<String, Long> counts(Manifest m) {
        Map<String, Long> counts = new LinkedHashMap<>();
        m.resources().forEach(r -> counts.put(r.qualifiedName(), r.count()));
        return counts;
    }

    static String describe(ItemError e) {
        String where = e.resource() == null ? "" : e.resource()
                + (e.name() == null ? "" : " " + (e.namespace() == null ? "" : e.namespace() + "/") + e.name()) + ": ";
        return where + e.message();
    }

    static void printTable(List<RestorePointView> views, PrintWriter out) {
        String format = "%-32s %-16s %-20s %-20s %-20s %8s %7s %6s %8s%n";
        out.printf(format, "NAME", "PHASE", "STARTED", "COMPLETED", "EXPIRES", "ITEMS", "VOLUMES", "ERRORS", "WARNINGS");
        for (RestorePointView v : views) {
            out.printf(format, v.name(), v.phase(), time(v.startedAt()), time(v.completedAt()), time(v.expiresAt()),
                    v.itemCount(), v.volumes().size(), v.errors().size(), v.warnings().size());
        }
    }

    void printDetail(PrintWriter out) {
        out.printf("Name:        %s%n", name);
        out.printf("Phase:       %s%n", phase);
        out.printf("Cluster:     %s%n", cluster);
        if (origin != null) {
            out.printf("Origin:      %s backup %s (%s, format %s, %s to %s) from %s%n", origin.tool(), origin.backup(),
                    origin.phase() == null ? "phase unknown" : origin.phase(), origin.formatVersion() == null ? "unknown" : origin.formatVersion(),
                    time(origin.startedAt()), time(origin.completedAt()), origin.location());
        }
        out.printf("Started:     %s%n", time(startedAt));
        out.printf("Completed:   %s%n", time(completedAt));
        out.printf("Expires:     %s%n", time(expiresAt));
        out.printf("Selection:   namespaces %s, excluded %s, resources %s, excluded %s, selector '%s', cluster resources %s%n",
                orAll(selection.includeNamespaces()), selection.excludeNamespaces(), orAll(selection.includeResources()),
                selection.excludeResources(), selection.selector(), selection.includeClusterResources().name().toLowerCase());
        if (storage == null) {
            out.printf("Items:       %d in %d chunks (storage format 1)%n", itemCount, chunks.size());
        } else {
            out.printf("Items:       %d in %d packs%n", itemCount, chunks.size());
            out.printf("Size:        %s of objects, %s stored in the packs it refers to%n", bytes(storage.logicalBytes()),
                    bytes(storage.referencedBytes()));
            out.printf("New:         %d objects, %s in %d packs (%s)%n", storage.newObjects(), bytes(storage.newBytes()),
                    storage.newPacks(), storage.newBytes() == 0 ? "everything was stored already"
                            : String.format("dedup ratio %.1f", storage.dedupRatio()));
        }
        out.println("Resources:");
        resources.forEach((r, n) -> out.printf("  %-48s %8d%n", r, n));
        out.println("Volumes:" + (volumes.isEmpty() ? " none" : ""));
        volumes.forEach(v -> out.printf("  %-40s %s/%s  %s %s  %s%s%n", v.persistentVolume(), v.namespace(), v.claim(),
                v.provider(), v.phase(), v.snapshotId() == null ? "-" : v.snapshotId(),
                v.message() == null ? "" : "  (" + v.message() + ")"));
        out.println("Hooks:" + (hooks.isEmpty() ? " none" : ""));
        hooks.forEach(h -> out.printf("  %s%n", h.row()));
        out.println("Errors:" + (errors.isEmpty() ? " none" : ""));
        errors.forEach(e -> out.printf("  %s%n", describe(e)));
        out.println("Warnings:" + (warnings.isEmpty() ? " none" : ""));
        warnings.forEach(w -> out.printf("  %s: %s%n", w.resource(), w.message()));
        out.println("Damage:" + (damage.isEmpty() ? " none found" : ""));
        damage.forEach(d -> out.printf("  %s%n", d));
    }

    private static String orAll(List<String> values) {
        return values.isEmpty() ? "[all]" : values.toString();
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format("%.1f %sB", bytes / (double) (1L << unit * 10), " KMGTPE".charAt(unit));
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }
}
