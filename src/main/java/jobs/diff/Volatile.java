package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a diff ignores: fields the API server changes without anyone changing the object ({@code resourceVersion},
 * {@code managedFields}, {@code generation}, {@code uid}, {@code creationTimestamp}, owner uids), {@code status}
 * unless asked for, and the labels a restore adds to what it restores.
 */
final class Volatile {

    static final List<String> METADATA = List.of("resourceVersion", "managedFields", "generation", "uid", "creationTimestamp",
            "selfLink");
    static final List<String> RESTORE_LABELS = List.of("kbackup.io/backup-name", "kbackup.io/restore-name");

    private Volatile() {
    }

    /** Removes them from the object, in place, and returns it. */
    static ObjectNode strip(ObjectNode object, boolean includeStatus) {
        if (!includeStatus) {
            object.remove("status");
        }
        if (object.path("metadata") instanceof ObjectNode meta) {
            meta.remove(METADATA);
            if (meta.path("labels") instanceof ObjectNode labels) {
                labels.remove(RESTORE_LABELS);
                if (labels.isEmpty()) {
                    meta.remove("labels");
                }
            }
            for (JsonNode owner : meta.path("ownerReferences")) {
                ((ObjectNode) owner).remove("uid");
            }
        }
        return object;
    }
}
