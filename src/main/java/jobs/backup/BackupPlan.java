package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import jobs.filter.ResourceFilter;
import jobs.filter.Selection;
import jobs.kube.ResourceType;
import jobs.support.Json;

/**
 * The resource types a backup reads, in reading order: namespaced types first, so that by the time the
 * cluster-scoped ones are read the backup knows which of them the selected objects need (PVs of PVCs, CRDs of
 * custom resources). Computed once by the discover step and kept in the job's execution context, so a resumed
 * backup reads the same types in the same order.
 */
record BackupPlan(List<ResourceType> types) {

    static BackupPlan of(List<ResourceType> discovered, Selection selection) {
        List<ResourceType> types = ResourceFilter.typesToRead(discovered, selection).stream()
                .sorted(Comparator.comparing((ResourceType t) -> !t.namespaced()).thenComparing(ResourceType::qualifiedName))
                .toList();
        return new BackupPlan(types);
    }

    String toJson() {
        try {
            return Json.mapper().writeValueAsString(types);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackupPlan fromJson(String json) {
        try {
            return new BackupPlan(Json.mapper().readValue(json, new TypeReference<List<ResourceType>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
