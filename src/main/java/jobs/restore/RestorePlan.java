package jobs.restore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import jobs.filter.ResourceFilter;
import jobs.filter.Selection;
import jobs.kube.ResourceType;
import jobs.store.Manifest;

/**
 * The types a restore applies, in a safe order (the configured priorities first, then the rest alphabetically),
 * each with the chunks of the restore point that hold its objects. Derived from the manifest and the parameters
 * alone, so every step and every resumed run computes the same plan.
 *
 * @param types  the types in apply order
 * @param chunks for each type, the indexes of the chunks holding its objects
 */
record RestorePlan(List<ResourceType> types, List<List<Integer>> chunks) {

    /** Never restored: cluster noise, node-bound objects, or objects the target cluster makes itself. */
    static final Set<String> NEVER_RESTORED = Set.of("nodes", "events", "events.events.k8s.io", "componentstatuses",
            "csinodes.storage.k8s.io", "volumeattachments.storage.k8s.io", "nodes.metrics.k8s.io", "pods.metrics.k8s.io",
            "leases.coordination.k8s.io");

    static List<ResourceType> storedTypes(Manifest manifest) {
        return manifest.resources().stream()
                .map(r -> new ResourceType(r.group(), r.version(), r.resource(), r.kind(), r.namespaced(), List.of())).toList();
    }

    static RestorePlan of(Manifest manifest, Selection selection, List<String> priorities) {
        List<ResourceType> stored = storedTypes(manifest);
        List<ResourceType> types = ResourceFilter.typesToRead(stored, selection).stream()
                .filter(t -> !NEVER_RESTORED.contains(t.qualifiedName()))
                .sorted(Comparator.comparingInt((ResourceType t) -> {
                    int p = priorities.indexOf(t.qualifiedName());
                    return p < 0 ? priorities.size() : p;
                }).thenComparing(ResourceType::qualifiedName))
                .toList();
        List<List<Integer>> chunks = new ArrayList<>();
        for (ResourceType type : types) {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < manifest.chunks().size(); i++) {
                if (manifest.chunks().get(i).resources().containsKey(type.qualifiedName())) {
                    indexes.add(i);
                }
            }
            chunks.add(indexes);
        }
        return new RestorePlan(types, chunks);
    }
}
