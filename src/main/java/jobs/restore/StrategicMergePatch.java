package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' strategic merge patch, as the API server applies it to built-in types: maps merge as in a JSON merge
 * patch (null deletes), lists named by their patch strategy merge element by element on their merge key
 * (containers by {@code name}, volume mounts by {@code mountPath}, ...) or as sets (finalizers), and other lists
 * are replaced. The directives {@code $patch: replace|delete|merge}, {@code $retainKeys},
 * {@code $deleteFromPrimitiveList/<field>} and {@code $setElementOrder/<field>} are understood. The merge keys are
 * those of Kubernetes' {@code types.go} ({@code patchMergeKey} tags) for the lists restores patch.
 */
final class StrategicMergePatch {

    /** API groups served by kube-apiserver itself: the types whose patch strategies exist. */
    static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy", "networking.k8s.io",
            "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
            "node.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "certificates.k8s.io", "events.k8s.io",
            "flowcontrol.apiserver.k8s.io", "resource.k8s.io");

    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("volumes", "name"), Map.entry("env", "name"), Map.entry("imagePullSecrets", "name"),
            Map.entry("resourceClaims", "name"), Map.entry("schedulingGates", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("hostAliases", "ip"), Map.entry("ownerReferences", "uid"),
            Map.entry("conditions", "type"), Map.entry("topologySpreadConstraints", "topologyKey"));
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");
    private static final Set<String> PRIMITIVE_SETS = Set.of("finalizers");
    private static final String PATCH = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String DELETE_FROM = "$deleteFromPrimitiveList/";
    private static final String ELEMENT_ORDER = "$setElementOrder/";

    private StrategicMergePatch() {
    }

    /** The object with the patch applied; neither argument is changed. */
    static ObjectNode apply(ObjectNode original, ObjectNode patch) {
        JsonNode merged = mergeMap(original.deepCopy(), patch, false);
        if (!(merged instanceof ObjectNode result)) {
            throw new IllegalArgumentException("a strategic merge patch cannot delete the whole object");
        }
        return result;
    }

    /** @param inContainer whether this map is a container, whose {@code ports} merge on containerPort */
    private static JsonNode mergeMap(ObjectNode original, ObjectNode patch, boolean inContainer) {
        String directive = patch.path(PATCH).asText("merge");
        switch (directive) {
            case "replace" -> {
                ObjectNode replaced = patch.deepCopy();
                replaced.remove(PATCH);
                return strip(replaced);
            }
            case "delete" -> {
                return null;
            }
            case "merge" -> {
            }
            default -> throw new IllegalArgumentException("unknown directive $patch: " + directive);
        }
        if (patch.path(RETAIN_KEYS) instanceof ArrayNode retain) {
            List<String> keep = new ArrayList<>();
            retain.forEach(k -> keep.add(k.asText()));
            original.retain(keep);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(PATCH) || name.equals(RETAIN_KEYS) || name.startsWith(ELEMENT_ORDER)) {
                continue; // order directives only reorder; the merged elements keep their original order
            }
            if (name.startsWith(DELETE_FROM)) {
                String list = name.substring(DELETE_FROM.length());
                if (original.path(list) instanceof ArrayNode values) {
                    for (int i = values.size() - 1; i >= 0; i--) {
                        for (JsonNode gone : value) {
                            if (values.get(i).equals(gone)) {
                                values.remove(i);
                                break;
                            }
                        }
                    }
                }
                continue;
            }
            if (name.startsWith("$")) {
                throw new IllegalArgumentException("unknown directive " + name);
            }
            JsonNode current = original.get(name);
            if (value.isNull()) {
                original.remove(name);
            } else if (value instanceof ObjectNode patchMap && current instanceof ObjectNode currentMap) {
                JsonNode merged = mergeMap(currentMap, patchMap, false);
                if (merged == null) {
                    original.remove(name);
                } else {
                    original.set(name, merged);
                }
            } else if (value instanceof ArrayNode patchList && current instanceof ArrayNode currentList) {
                original.set(name, mergeList(name, currentList, patchList, inContainer));
            } else {
                original.set(name, strip(value.deepCopy()));
            }
        }
        return original;
    }

    private static ArrayNode mergeList(String name, ArrayNode original, ArrayNode patch, boolean inContainer) {
        for (JsonNode element : patch) {
            if (element.path(PATCH).asText().equals("replace") && element.size() == 1) {
                ArrayNode replaced = patch.deepCopy();
                for (int i = replaced.size() - 1; i >= 0; i--) {
                    if (replaced.get(i).path(PATCH).asText().equals("replace") && replaced.get(i).size() == 1) {
                        replaced.remove(i);
                    }
                }
                return (ArrayNode) strip(replaced);
            }
        }
        if (PRIMITIVE_SETS.contains(name)) {
            ArrayNode union = original.deepCopy();
            patch.forEach(v -> {
                if (!contains(union, v)) {
                    union.add(v);
                }
            });
            return union;
        }
        String key = name.equals("ports") ? (inContainer ? "containerPort" : "port") : MERGE_KEYS.get(name);
        if (key == null) {
            return (ArrayNode) strip(patch.deepCopy());
        }
        ArrayNode merged = original.deepCopy();
        for (JsonNode element : patch) {
            if (!(element instanceof ObjectNode patchElement) || !patchElement.has(key)) {
                throw new IllegalArgumentException("an element of '" + name + "' lacks its merge key '" + key + "': " + element);
            }
            int at = indexOf(merged, key, patchElement.get(key));
            if (patchElement.path(PATCH).asText().equals("delete")) {
                if (at >= 0) {
                    merged.remove(at);
                }
            } else if (at >= 0) {
                merged.set(at, mergeMap((ObjectNode) merged.get(at), patchElement, CONTAINER_LISTS.contains(name)));
            } else {
                merged.add(strip(patchElement.deepCopy()));
            }
        }
        return merged;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path(key).equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(ArrayNode list, JsonNode value) {
        for (JsonNode v : list) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** A patch value added as it is, without directives and without the nulls that only mean "delete". */
    private static JsonNode strip(JsonNode value) {
        if (value instanceof ObjectNode map) {
            List<String> drop = new ArrayList<>();
            map.fields().forEachRemaining(e -> {
                if (e.getKey().startsWith("$") || e.getValue().isNull()) {
                    drop.add(e.getKey());
                } else {
                    strip(e.getValue());
                }
            });
            map.remove(drop);
        } else if (value instanceof ArrayNode list) {
            list.forEach(StrategicMergePatch::strip);
        }
        return value;
    }
}
