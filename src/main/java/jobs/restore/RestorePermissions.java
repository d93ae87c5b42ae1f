package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import jobs.kube.Access;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;

/**
 * What applying each planned object needs from RBAC, like AKS Backup's Validate step: the verb on its type in its
 * namespace, {@code create namespaces} for a namespace that does not exist yet, {@code escalate} to create a role
 * and {@code bind} on the role a binding refers to (a real API server refuses grants the caller does not hold),
 * the snapshot objects a CSI volume is restored through, and what post-restore hooks need (listing, watching and
 * exec into the restored pods). Each distinct permission is asked once, by a
 * SelfSubjectAccessReview, so the API server's own authorizer decides.
 */
final class RestorePermissions {

    private static final String RBAC = "rbac.authorization.k8s.io";

    private final Cluster cluster;
    private final Map<Access, Boolean> answers = new ConcurrentHashMap<>();
    private final Map<String, Boolean> namespaceExists = new ConcurrentHashMap<>();

    RestorePermissions(Cluster cluster) {
        this.cluster = cluster;
    }

    /** The permissions an action with this planned outcome (WouldCreate, WouldUpdate) needs and does not have. */
    List<Access> missing(RestoreAction action, String outcome) {
        List<Access> missing = new ArrayList<>();
        for (Access access : needed(action, outcome)) {
            if (!answers.computeIfAbsent(access, cluster::allowed)) {
                missing.add(access);
            }
        }
        return missing;
    }

    /** Every permission asked so far, and those denied, sorted. */
    Set<Access> checked() {
        return new TreeSet<>(answers.keySet());
    }

    Set<Access> denied() {
        Set<Access> denied = new TreeSet<>();
        answers.forEach((access, allowed) -> {
            if (!allowed) {
                denied.add(access);
            }
        });
        return denied;
    }

    /** Answers of an earlier run of the same dry run, so a resumed one reports them too. */
    void remember(Collection<Access> allowed, Collection<Access> denied) {
        allowed.forEach(a -> answers.put(a, true));
        denied.forEach(a -> answers.put(a, false));
    }

    private List<Access> needed(RestoreAction action, String outcome) {
        ResourceType type = action.type();
        String namespace = type.namespaced() ? action.namespace() : null;
        String verb = outcome.equals(Outcome.WOULD_UPDATE) ? "patch" : "create";
        List<Access> needed = new ArrayList<>();
        needed.add(new Access(verb, type.group(), type.resource(), namespace));
        if (namespace != null && !namespaceExists.computeIfAbsent(namespace,
                ns -> cluster.get(KnownTypes.NAMESPACES, null, ns).isPresent())) {
            needed.add(new Access("create", "", "namespaces", null));
        }
        JsonNode desired = action.desired();
        switch (type.qualifiedName()) {
            case "roles." + RBAC, "clusterroles." + RBAC -> needed.add(new Access("escalate", RBAC, type.resource(), namespace));
            case "rolebindings." + RBAC, "clusterrolebindings." + RBAC -> needed.add(new Access("bind", RBAC,
                    desired.path("roleRef").path("kind").asText().equals("ClusterRole") ? "clusterroles" : "roles", namespace));
            default -> {
            }
        }
        if (action.volume() != null && "csi".equals(action.volume().provider())) {
            ResourceType contents = KnownTypes.VOLUME_SNAPSHOT_CONTENTS;
            ResourceType snapshots = KnownTypes.VOLUME_SNAPSHOTS;
            needed.add(new Access("create", contents.group(), contents.resource(), null));
            needed.add(new Access("create", snapshots.group(), snapshots.resource(), namespace));
            needed.add(new Access("watch", snapshots.group(), snapshots.resource(), namespace)); // waited on until ready
        }
        if (action.hooks() != null && !action.hooks().hooks().isEmpty()) {
            // Post-restore hooks: the pods are found by listing, waited on by watching, and run over pods/exec.
            needed.add(new Access("list", "", "pods", namespace));
            needed.add(new Access("watch", "", "pods", namespace));
            needed.add(new Access("create", "", "pods/exec", namespace));
            if (type.qualifiedName().equals("deployments.apps")) {
                needed.add(new Access("list", "apps", "replicasets", namespace));
            }
        }
        return needed;
    }
}
