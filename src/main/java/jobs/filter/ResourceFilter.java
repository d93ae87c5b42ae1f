package jobs.filter;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jobs.kube.ResourceType;
import jobs.support.InvalidInputException;

/**
 * Resource include/exclude lists resolved against the types a cluster (or a restore point) has. A name may be a
 * plural ({@code deployments}), a qualified plural ({@code deployments.apps}), a kind ({@code Deployment}) or a
 * short name ({@code deploy}); {@code *} means all. Unknown names are input errors, not silent no-ops.
 */
public final class ResourceFilter {

    /** Left out unless named in an include: they are cluster noise, or recreated by the cluster itself. */
    static final Set<String> LEFT_OUT_BY_DEFAULT = Set.of(
            "nodes", "events", "events.events.k8s.io", "componentstatuses",
            "nodes.metrics.k8s.io", "pods.metrics.k8s.io");

    private final Set<ResourceType> included;
    private final Set<ResourceType> excluded;
    private final boolean includeAll;

    private ResourceFilter(Set<ResourceType> included, Set<ResourceType> excluded, boolean includeAll) {
        this.included = included;
        this.excluded = excluded;
        this.includeAll = includeAll;
    }

    public static ResourceFilter resolve(List<String> includes, List<String> excludes, List<ResourceType> known) {
        boolean all = includes.isEmpty() || includes.contains("*");
        return new ResourceFilter(resolveAll("--include-resources", includes, known),
                resolveAll("--exclude-resources", excludes, known), all);
    }

    private static Set<ResourceType> resolveAll(String flag, List<String> names, List<ResourceType> known) {
        Set<ResourceType> types = new HashSet<>();
        for (String name : names) {
            if (name.equals("*")) {
                continue;
            }
            List<ResourceType> matches = known.stream().filter(t -> names(t).contains(name.toLowerCase(Locale.ROOT))).toList();
            if (matches.isEmpty()) {
                throw new InvalidInputException(flag + ": unknown resource '" + name + "' (not served by the cluster)");
            }
            types.addAll(matches);
        }
        return types;
    }

    /** Whether one of the known types answers to {@code name}. */
    public static boolean serves(String name, List<ResourceType> known) {
        return name.equals("*") || known.stream().anyMatch(t -> names(t).contains(name.toLowerCase(Locale.ROOT)));
    }

    private static Set<String> names(ResourceType t) {
        Set<String> names = new HashSet<>();
        names.add(t.resource().toLowerCase(Locale.ROOT));
        names.add(t.qualifiedName().toLowerCase(Locale.ROOT));
        names.add(t.kind().toLowerCase(Locale.ROOT));
        if (!t.group().isEmpty()) {
            names.add((t.kind() + "." + t.group()).toLowerCase(Locale.ROOT));
        }
        t.shortNames().forEach(s -> names.add(s.toLowerCase(Locale.ROOT)));
        return names;
    }

    /** Cluster-scoped types that come along when selected objects need them, unless explicitly excluded. */
    static final Set<String> DEPENDENCY_TYPES = Set.of(
            "namespaces", "persistentvolumes", "customresourcedefinitions.apiextensions.k8s.io");

    /**
     * The types a backup or restore has to read for a selection: those the resource filters include, plus the
     * types of what selected objects need; no cluster-scoped types but namespaces when the toggle is false.
     */
    public static List<ResourceType> typesToRead(List<ResourceType> known, Selection selection) {
        ResourceFilter filter = resolve(selection.includeResources(), selection.excludeResources(), known);
        ResourceFilter explicitExcludes = resolve(List.of("*"), selection.excludeResources(), known);
        boolean clusterTypes = selection.includeClusterResources() != ClusterResources.FALSE;
        return known.stream()
                .filter(t -> filter.includes(t) || (DEPENDENCY_TYPES.contains(t.qualifiedName()) && explicitExcludes.includes(t)))
                .filter(t -> t.namespaced() || clusterTypes || t.qualifiedName().equals("namespaces"))
                .toList();
    }

    /** Whether the include list names this type itself (not through {@code *}). */
    public boolean namesExplicitly(ResourceType type) {
        return included.contains(type);
    }

    public boolean includes(ResourceType type) {
        if (excluded.contains(type)) {
            return false;
        }
        if (included.contains(type)) {
            return true;
        }
        return includeAll && !LEFT_OUT_BY_DEFAULT.contains(type.qualifiedName());
    }
}
