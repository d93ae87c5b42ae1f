package jobs.filter;

import java.util.List;
import java.util.Map;
import java.util.Set;
import jobs.kube.ResourceType;

/**
 * The per-object selection rules shared by backup and restore: namespace globs and the label selector for
 * namespaced objects; for cluster-scoped ones the {@code --include-cluster-resources} toggle, with what selected
 * objects need (the PV bound to a claim, the CRD of a custom resource) coming along unless the toggle is false.
 */
public final class ObjectSelector {

    /** API groups served by Kubernetes itself; anything else is a custom resource whose CRD a selection needs. */
    static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy",
            "rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
            "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
            "discovery.k8s.io", "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
            "apiregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "resource.k8s.io",
            "storagemigration.k8s.io", "internal.apiserver.k8s.io", "metrics.k8s.io", "snapshot.storage.k8s.io");

    private final NamespaceFilter namespaces;
    private final LabelSelector selector;
    private final ClusterResources clusterResources;
    private final boolean wholeCluster;
    private final ResourceFilter explicitIncludes;

    /** @param types the types the resource names resolve against (discovered, or those of a restore point) */
    public ObjectSelector(Selection selection, List<ResourceType> types) {
        this.namespaces = selection.namespaceFilter();
        this.selector = selection.labelSelector();
        this.clusterResources = selection.includeClusterResources();
        this.wholeCluster = namespaces.selectsAll();
        List<String> includes = selection.includeResources();
        this.explicitIncludes = includes.isEmpty() || includes.contains("*")
                ? null : ResourceFilter.resolve(includes, List.of(), types);
    }

    public boolean selectsNamespaced(String namespace, Map<String, String> labels) {
        return namespaces.matches(namespace) && selector.matches(labels);
    }

    /**
     * @param needed what the selected namespaced objects need, as recorded by {@link #needs}
     */
    public boolean selectsClusterScoped(ResourceType type, String name, Map<String, String> labels, Set<String> needed) {
        if (type.qualifiedName().equals("namespaces")) {
            // The namespace objects of selected namespaces always come along, whatever the other filters say.
            return namespaces.matches(name);
        }
        boolean isNeeded = needed.contains(type.qualifiedName() + "/" + name);
        // With a resource include list only the types it names come along whole; the others only where needed.
        boolean typeWanted = explicitIncludes == null || explicitIncludes.includes(type);
        return switch (clusterResources) {
            case FALSE -> false;
            case TRUE -> isNeeded || (typeWanted && selector.matches(labels));
            case AUTO -> isNeeded || (typeWanted && (wholeCluster || explicitIncludes != null) && selector.matches(labels));
        };
    }

    /** What a selected namespaced object needs among cluster-scoped objects, as {@code plural.group/name} keys. */
    public static List<String> needs(ResourceType type, String volumeName) {
        if (type.qualifiedName().equals("persistentvolumeclaims") && volumeName != null && !volumeName.isEmpty()) {
            return List.of("persistentvolumes/" + volumeName);
        }
        if (!BUILT_IN_GROUPS.contains(type.group())) {
            return List.of("customresourcedefinitions.apiextensions.k8s.io/" + type.resource() + "." + type.group());
        }
        return List.of();
    }
}
