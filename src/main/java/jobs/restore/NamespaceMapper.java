package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.UnaryOperator;
import jobs.kube.ResourceType;

/**
 * A namespace mapping applied to one object: its own namespace, a Namespace's name, and the namespaces it refers to
 * (a PV's claim, the subjects of role bindings). Restore maps what it applies; diff maps a restore point to compare
 * it with a cluster it was restored into under a mapping.
 */
public final class NamespaceMapper {

    private NamespaceMapper() {
    }

    /** @param target the target namespace of a source namespace (itself when unmapped) */
    public static void map(ResourceType type, ObjectNode object, UnaryOperator<String> target) {
        ObjectNode meta = object.with("metadata");
        if (type.namespaced() && meta.hasNonNull("namespace")) {
            meta.put("namespace", target.apply(meta.path("namespace").asText()));
        }
        switch (type.qualifiedName()) {
            case "namespaces" -> meta.put("name", target.apply(meta.path("name").asText()));
            case "persistentvolumes" -> {
                if (object.path("spec").path("claimRef") instanceof ObjectNode claimRef && claimRef.hasNonNull("namespace")) {
                    claimRef.put("namespace", target.apply(claimRef.path("namespace").asText()));
                }
            }
            case "rolebindings.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io" -> {
                if (object.path("subjects") instanceof ArrayNode subjects) {
                    for (JsonNode subject : subjects) {
                        if (subject.hasNonNull("namespace")) {
                            ((ObjectNode) subject).put("namespace", target.apply(subject.path("namespace").asText()));
                        }
                    }
                }
            }
            default -> {
            }
        }
    }
}
