package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validation of kube-apiserver that an update or patch meets when it changes a field that cannot change: 422
 * Invalid, naming the field, as a real server answers. Covers the fields a restore with the {@code update} policy
 * runs into: a Service's {@code clusterIP(s)}, a Job's {@code selector} and {@code template}, a PVC's {@code spec}
 * beyond {@code resources.requests} (and its {@code volumeName} being set, as the binder does), a StatefulSet's {@code spec} beyond the fields it may update. Merge patches
 * are applied by RFC 7386 here (a strategic merge patch as a merge patch); JSON patches are not checked.
 */
final class Immutables {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATEFUL_SET_UPDATABLE = Set.of("replicas", "ordinals", "template", "updateStrategy",
            "persistentVolumeClaimRetentionPolicy", "minReadySeconds");

    private Immutables() {
    }

    /** The 422 answer for a request that changes an immutable field of {@code current}, or null. */
    static MockResponse check(RecordedRequest request, ApiServer.Route route, MockResponse current) throws IOException {
        if (current.code() != 200) {
            return null;
        }
        String contentType = String.valueOf(request.getHeader("Content-Type"));
        if (request.getMethod().equalsIgnoreCase("PATCH") && contentType.contains("json-patch")) {
            return null;
        }
        JsonNode before = JSON.readTree(current.getBody().getBytes());
        JsonNode body = JSON.readTree(request.getBody().getBytes());
        JsonNode after = request.getMethod().equalsIgnoreCase("PUT") ? body : merge(before.deepCopy(), body);
        String kind = before.path("kind").asText();
        String name = route.name();
        String field = switch (route.group() + "/" + route.resource()) {
            case "/services" -> firstChanged(before.path("spec"), after.path("spec"), "spec", List.of("clusterIP", "clusterIPs"));
            case "batch/jobs" -> firstChanged(before.path("spec"), after.path("spec"), "spec", List.of("selector", "template"));
            case "/persistentvolumeclaims" -> changedExcept(before.path("spec"), after.path("spec"), "spec", Set.of("resources", "volumeAttributesClassName"));
            case "apps/statefulsets" -> changedExcept(before.path("spec"), after.path("spec"), "spec", STATEFUL_SET_UPDATABLE);
            default -> null;
        };
        if (field == null) {
            return null;
        }
        String message = route.resource().equals("statefulsets")
                ? kind + ".apps \"" + name + "\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than "
                + "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                + "'minReadySeconds' are forbidden (" + field + ")"
                : kind + " \"" + name + "\" is invalid: " + field + ": Invalid value: field is immutable";
        return ApiServer.status(422, "Invalid", message);
    }

    /** The first of {@code fields} whose value differs, as a path, or null. */
    private static String firstChanged(JsonNode before, JsonNode after, String path, List<String> fields) {
        for (String field : fields) {
            if (before.has(field) && !before.path(field).equals(after.path(field))) {
                return path + "." + field;
            }
        }
        return null;
    }

    /** The first field of {@code before} or {@code after}, not in {@code allowed}, whose value differs, or null. */
    private static String changedExcept(JsonNode before, JsonNode after, String path, Set<String> allowed) {
        java.util.TreeSet<String> fields = new java.util.TreeSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        for (String field : fields) {
            boolean binding = field.equals("volumeName") && before.path(field).asText("").isEmpty();
            if (!allowed.contains(field) && !binding && !before.path(field).equals(after.path(field))) {
                return path + "." + field;
            }
        }
        if (path.equals("spec") && allowed.contains("resources")) {
            // A claim's resources may change only in their requests.
            JsonNode was = before.path("resources");
            JsonNode is = after.path("resources");
            java.util.TreeSet<String> parts = new java.util.TreeSet<>();
            was.fieldNames().forEachRemaining(parts::add);
            is.fieldNames().forEachRemaining(parts::add);
            for (String part : parts) {
                if (!part.equals("requests") && !was.path(part).equals(is.path(part))) {
                    return "spec.resources." + part;
                }
            }
        }
        return null;
    }

    /** RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.path(field.getKey()).isMissingNode() ? JSON.createObjectNode()
                        : result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }
}
