package jobs.filter;

import java.util.List;

/**
 * What a backup or restore selects, as the user wrote it. Recorded in restore points so that {@code describe}
 * shows what a backup was asked to hold.
 *
 * @param includeNamespaces       namespace globs, empty for all
 * @param excludeNamespaces       namespace globs
 * @param includeResources        resource names, empty for all
 * @param excludeResources        resource names
 * @param selector                label selector text, empty for all
 * @param includeClusterResources auto, true or false
 */
public record Selection(List<String> includeNamespaces, List<String> excludeNamespaces, List<String> includeResources,
                        List<String> excludeResources, String selector, ClusterResources includeClusterResources) {

    public Selection {
        includeNamespaces = List.copyOf(includeNamespaces == null ? List.of() : includeNamespaces);
        excludeNamespaces = List.copyOf(excludeNamespaces == null ? List.of() : excludeNamespaces);
        includeResources = List.copyOf(includeResources == null ? List.of() : includeResources);
        excludeResources = List.copyOf(excludeResources == null ? List.of() : excludeResources);
        selector = selector == null ? "" : selector;
        includeClusterResources = includeClusterResources == null ? ClusterResources.AUTO : includeClusterResources;
    }

    public static Selection everything() {
        return new Selection(null, null, null, null, null, null);
    }

    /** The same selection with other resource lists. */
    public Selection withResources(List<String> includes, List<String> excludes) {
        return new Selection(includeNamespaces, excludeNamespaces, includes, excludes, selector, includeClusterResources);
    }

    public NamespaceFilter namespaceFilter() {
        return NamespaceFilter.of(includeNamespaces, excludeNamespaces);
    }

    public LabelSelector labelSelector() {
        return LabelSelector.parse(selector);
    }
}
