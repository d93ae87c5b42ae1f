package jobs.velero;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jobs.filter.ClusterResources;
import jobs.filter.Selection;

/**
 * What {@code velero-backup.json} (the {@code velero.io/v1} Backup, status included) says about a backup: its phase
 * and times, its format, and what it selected, as a kbackup selection where Velero's has one.
 *
 * @param name          the Backup's name
 * @param phase         status.phase; null when there is no velero-backup.json
 * @param formatVersion status.formatVersion
 * @param startedAt     status.startTimestamp
 * @param completedAt   status.completionTimestamp
 * @param expiresAt     status.expiration (Velero's TTL), null when unknown
 * @param selection     spec's namespaces, resources, label selector and cluster-scoped toggle
 * @param errors        status.errors
 * @param warnings      status.warnings
 */
record VeleroBackup(String name, String phase, String formatVersion, Instant startedAt, Instant completedAt,
                    Instant expiresAt, Selection selection, long errors, long warnings) {

    /** Phases whose tarball is whole: the rest (New, InProgress, Failed, Deleting, ...) are not imported. */
    static final Set<String> IMPORTABLE = Set.of("Completed", "PartiallyFailed");

    static VeleroBackup of(JsonNode backup, String source) {
        JsonNode spec = backup.path("spec");
        JsonNode status = backup.path("status");
        return new VeleroBackup(backup.path("metadata").path("name").asText(null), status.path("phase").asText(null),
                status.path("formatVersion").asText(null), time(status, "startTimestamp", source),
                time(status, "completionTimestamp", source), time(status, "expiration", source), selection(spec),
                status.path("errors").asLong(0), status.path("warnings").asLong(0));
    }

    /** What the backup's velero-backup.json says, or only its name when it has none (a downloaded tarball). */
    static VeleroBackup of(VeleroFiles files) {
        return files.backupObject().map(o -> of(o, files.describe(VeleroFiles.BACKUP_OBJECT))).orElseGet(() -> unknown(files.name()));
    }

    /** A tarball without its velero-backup.json: nothing known but the name. */
    static VeleroBackup unknown(String name) {
        return new VeleroBackup(name, null, null, null, null, null, Selection.everything(), 0, 0);
    }

    /** When the start of the Velero backup, or the import if it has none, is not known. */
    Instant startedOr(Instant now) {
        return startedAt != null ? startedAt : now;
    }

    /**
     * When its restore point expires: {@code ttl} after its start when given, else when Velero's backup expires, else
     * the policy's {@code retention} after its start.
     */
    Instant expiresAt(Duration ttl, Duration retention, Instant now) {
        Instant started = startedOr(now);
        return ttl != null ? started.plus(ttl) : expiresAt != null ? expiresAt : started.plus(retention);
    }

    boolean importable() {
        return phase == null || IMPORTABLE.contains(phase);
    }

    /**
     * Velero's selection in kbackup's terms. Velero's {@code *} means all, as an empty list does here; its label
     * selector's matchLabels and matchExpressions become selector text; its includeClusterResources null is auto.
     */
    private static Selection selection(JsonNode spec) {
        JsonNode cluster = spec.path("includeClusterResources");
        ClusterResources clusterResources = cluster.isBoolean()
                ? (cluster.asBoolean() ? ClusterResources.TRUE : ClusterResources.FALSE) : ClusterResources.AUTO;
        return new Selection(all(strings(spec.path("includedNamespaces"))), strings(spec.path("excludedNamespaces")),
                all(strings(spec.path("includedResources"))), strings(spec.path("excludedResources")),
                selector(spec.path("labelSelector")), clusterResources);
    }

    private static List<String> all(List<String> names) {
        return names.contains("*") ? List.of() : names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String selector(JsonNode labelSelector) {
        List<String> terms = new ArrayList<>();
        labelSelector.path("matchLabels").properties().forEach(e -> terms.add(e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode expression : labelSelector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            String values = strings(expression.path("values")).stream().collect(Collectors.joining(","));
            switch (expression.path("operator").asText()) {
                case "In" -> terms.add(key + " in (" + values + ")");
                case "NotIn" -> terms.add(key + " notin (" + values + ")");
                case "Exists" -> terms.add(key);
                case "DoesNotExist" -> terms.add("!" + key);
                default -> { }
            }
        }
        return String.join(",", terms);
    }

    private static Instant time(JsonNode status, String field, String source) {
        String text = status.path(field).asText(null);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new VeleroFormatException(source + ": status." + field + " '" + text + "' is not a time", e);
        }
    }
}
