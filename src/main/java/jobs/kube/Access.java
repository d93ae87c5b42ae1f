package jobs.kube;

/**
 * One permission a run needs, in RBAC's terms.
 *
 * @param verb      create, patch, get, escalate, bind, ...
 * @param group     API group, empty for the core group
 * @param resource  resource (plural)
 * @param namespace namespace, or null for a cluster-scoped resource or all namespaces
 */
public record Access(String verb, String group, String resource, String namespace) implements Comparable<Access> {

    @Override
    public int compareTo(Access other) {
        return toString().compareTo(other.toString());
    }

    /** As {@code kubectl auth can-i} takes it: "create rolebindings.rbac.authorization.k8s.io in namespace shop". */
    @Override
    public String toString() {
        return verb + " " + resource + (group.isEmpty() ? "" : "." + group)
                + (namespace == null ? " (cluster-wide)" : " in namespace " + namespace);
    }
}
