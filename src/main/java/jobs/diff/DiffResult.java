package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What changed from one side to the other, per type.
 *
 * @param from  what was compared from: a restore point's name
 * @param to    what it was compared with: another restore point, or "live cluster &lt;server&gt;"
 * @param types    the types with differences, by name
 * @param warnings what could not be compared, and why
 */
public record DiffResult(String from, String to, List<TypeChanges> types, List<String> warnings) {

    public DiffResult {
        types = List.copyOf(types);
        warnings = List.copyOf(warnings);
    }

    public boolean isEmpty() {
        return types.isEmpty();
    }

    /**
     * @param type    plural.group
     * @param added   objects only in {@code to}, as namespace/name
     * @param removed objects only in {@code from}
     * @param changed objects in both that differ
     */
    public record TypeChanges(String type, List<String> added, List<String> removed, List<Change> changed) {

        public TypeChanges {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }
    }

    /**
     * @param object namespace/name
     * @param patch  an RFC 6902 JSON Patch turning the object in {@code from} into the one in {@code to}
     */
    public record Change(String object, JsonNode patch) {

        /** The JSON Pointers the patch touches, for a short view. */
        public List<String> paths() {
            List<String> paths = new ArrayList<>();
            patch.forEach(op -> paths.add(op.path("op").asText() + " " + op.path("path").asText()));
            return paths;
        }
    }
}
