package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jobs.filter.ClusterResources;
import jobs.filter.ObjectSelector;
import jobs.filter.ResourceFilter;
import jobs.filter.Selection;
import jobs.kube.ResourceType;

/** Selection and keys, alike for both sides of a diff. */
final class Sides {

    /** Labels that keep an object out of every backup, so out of a live side too. */
    static final List<String> EXCLUDE_LABELS = List.of("kbackup.io/exclude-from-backup", "velero.io/exclude-from-backup");

    private Sides() {
    }

    /**
     * Namespaced objects by namespace and labels; cluster-scoped ones by the cluster-resources toggle, none counted as
     * needed (a diff compares what both sides hold, not what a restore would bring along).
     */
    static boolean selects(ObjectSelector selector, ResourceType type, JsonNode object) {
        JsonNode meta = object.path("metadata");
        Map<String, String> labels = new HashMap<>();
        meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        if (EXCLUDE_LABELS.stream().anyMatch(l -> "true".equalsIgnoreCase(labels.get(l)))) {
            return false;
        }
        return type.namespaced() ? selector.selectsNamespaced(meta.path("namespace").asText(), labels)
                : selector.selectsClusterScoped(type, meta.path("name").asText(), labels, Set.of());
    }

    /**
     * The types a diff compares for a selection: those its resource filters include (no dependency types coming along,
     * unlike a backup's), cluster-scoped ones only unless the toggle is false.
     */
    static List<ResourceType> types(List<ResourceType> known, Selection selection) {
        ResourceFilter filter = ResourceFilter.resolve(selection.includeResources(), selection.excludeResources(), known);
        boolean clusterScoped = selection.includeClusterResources() != ClusterResources.FALSE;
        return known.stream().filter(filter::includes).filter(t -> t.namespaced() || clusterScoped).toList();
    }

    static ObjectKey key(ResourceType type, JsonNode object) {
        JsonNode meta = object.path("metadata");
        return new ObjectKey(type.qualifiedName(), type.namespaced() ? meta.path("namespace").asText() : "", meta.path("name").asText());
    }
}
