package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Removes from a backed-up object what must not be replayed into a cluster: server-set metadata, status,
 * owner references, and per-kind fields that belong to the old cluster (Service IPs and node ports, PV claim
 * binding, Pod node, Job controller uid, service-account token data). The same cleaning makes an existing object
 * comparable with a backed-up one.
 */
final class ObjectCleaner {

    static final List<String> METADATA = List.of("uid", "resourceVersion", "generation", "creationTimestamp",
            "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "ownerReferences", "managedFields");
    static final List<String> PV_ANNOTATIONS = List.of("pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller");
    static final List<String> PVC_ANNOTATIONS = List.of("pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
            "volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner",
            "volume.kubernetes.io/selected-node");
    static final List<String> JOB_LABELS = List.of("controller-uid", "batch.kubernetes.io/controller-uid");

    private ObjectCleaner() {
    }

    /** Cleans {@code object} in place and returns it. */
    static ObjectNode clean(ObjectNode object) {
        ObjectNode meta = object.with("metadata");
        METADATA.forEach(meta::remove);
        if (meta.hasNonNull("name")) {
            meta.remove("generateName");
        }
        object.remove("status");
        switch (object.path("kind").asText()) {
            case "Service" -> cleanService(object);
            case "PersistentVolume" -> {
                removeAnnotations(meta, PV_ANNOTATIONS);
                JsonNode claimRef = object.path("spec").path("claimRef");
                if (claimRef instanceof ObjectNode ref) {
                    ref.remove("uid");
                    ref.remove("resourceVersion");
                }
            }
            case "PersistentVolumeClaim" -> removeAnnotations(meta, PVC_ANNOTATIONS);
            case "Pod" -> {
                if (object.path("spec") instanceof ObjectNode spec) {
                    spec.remove("nodeName");
                    spec.remove("priority");
                }
            }
            case "Job" -> cleanJob(object);
            case "Secret" -> {
                if ("kubernetes.io/service-account-token".equals(object.path("type").asText())
                        && object.path("data") instanceof ObjectNode data) {
                    data.remove("token");
                    data.remove("ca.crt");
                }
            }
            default -> {
            }
        }
        return object;
    }

    private static void cleanService(ObjectNode object) {
        if (!(object.path("spec") instanceof ObjectNode spec)) {
            return;
        }
        if (!"None".equals(spec.path("clusterIP").asText())) {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
        }
        spec.remove("healthCheckNodePort");
        if (spec.path("ports") instanceof ArrayNode ports) {
            ports.forEach(p -> ((ObjectNode) p).remove("nodePort"));
        }
    }

    private static void cleanJob(ObjectNode object) {
        if (!(object.path("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode matchLabels = spec.path("selector").path("matchLabels");
        if (JOB_LABELS.stream().anyMatch(matchLabels::has)) {
            // The selector was generated for the old Job's uid; the API server generates a new one.
            spec.remove("selector");
        }
        if (spec.path("template").path("metadata").path("labels") instanceof ObjectNode labels) {
            JOB_LABELS.forEach(labels::remove);
        }
    }

    private static void removeAnnotations(ObjectNode meta, List<String> names) {
        if (meta.path("annotations") instanceof ObjectNode annotations) {
            names.forEach(annotations::remove);
            if (annotations.isEmpty()) {
                meta.remove("annotations");
            }
        }
    }

    /**
     * Whether {@code existing} already holds everything {@code desired} says: every field of the desired object is
     * present with the same value (the server may add defaults of its own without making them differ).
     */
    static boolean holds(JsonNode existing, JsonNode desired) {
        if (desired.isObject()) {
            if (!existing.isObject()) {
                return false;
            }
            var fields = desired.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                JsonNode other = existing.get(field.getKey());
                if (other == null ? !field.getValue().isNull() : !holds(other, field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!existing.isArray() || existing.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!holds(existing.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && existing.isNumber()) {
            return desired.decimalValue().compareTo(existing.decimalValue()) == 0;
        }
        return desired.equals(existing);
    }
}
