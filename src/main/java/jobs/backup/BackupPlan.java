package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import jobs.filter.ResourceFilter;
import jobs.filter.Selection;
import jobs.kube.Discovery;
import jobs.kube.Discovery.UnavailableGroup;
import jobs.kube.ResourceType;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.Warning;
import jobs.support.Json;

/**
 * The resource types a backup reads, in reading order: namespaced types first, so that by the time the
 * cluster-scoped ones are read the backup knows which of them the selected objects need (PVs of PVCs, CRDs of
 * custom resources). Computed once by the discover step and kept in the job's execution context, so a resumed
 * backup reads the same types in the same order.
 *
 * <p>API groups that discovery could not read are left out with a warning. A name in {@code --include-resources}
 * that only such a group could serve is not an input error (the cluster may well serve it once the group is back):
 * it is an error of the backup, which then ends PartiallyFailed naming it.
 *
 * @param types    the types to read, in order
 * @param named    qualified names of the types {@code --include-resources} names explicitly: failing to list one of
 *                 them is an error, any other type is skipped with a warning
 * @param warnings the API groups left out, and why
 * @param errors   the named resources that could not be listed at all, and why
 */
record BackupPlan(List<ResourceType> types, List<String> named, List<Warning> warnings, List<ItemError> errors) {

    BackupPlan {
        named = named == null ? List.of() : List.copyOf(named);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /**
     * @throws jobs.support.InvalidInputException for a resource name no discovered or unavailable group can serve
     */
    static BackupPlan of(Discovery discovery, Selection selection) {
        List<UnavailableGroup> unavailable = discovery.unavailable();
        List<ItemError> errors = new ArrayList<>();
        List<String> includes = new ArrayList<>();
        for (String name : selection.includeResources()) {
            UnavailableGroup group = unresolvable(name, discovery);
            if (group == null) {
                includes.add(name);
            } else {
                errors.add(new ItemError(name, null, null, "could not be listed: " + group.cause()));
            }
        }
        List<String> excludes = selection.excludeResources().stream()
                .filter(name -> unresolvable(name, discovery) == null).toList();
        if (includes.isEmpty() && !selection.includeResources().isEmpty()) {
            // Every named type is unavailable: read nothing rather than everything.
            return new BackupPlan(List.of(), List.of(), warnings(unavailable), errors);
        }
        List<ResourceType> types = ResourceFilter.typesToRead(discovery.types(), selection.withResources(includes, excludes)).stream()
                .sorted(Comparator.comparing((ResourceType t) -> !t.namespaced()).thenComparing(ResourceType::qualifiedName))
                .toList();
        List<String> named = includes.isEmpty() || includes.contains("*") ? List.of()
                : types.stream().filter(ResourceFilter.resolve(includes, List.of(), discovery.types())::namesExplicitly)
                        .map(ResourceType::qualifiedName).toList();
        return new BackupPlan(types, named, warnings(unavailable), errors);
    }

    /**
     * The unavailable group a resource name may belong to, or null when the discovered types serve it or no
     * unavailable group could. A bare name (plural, kind or short name) could be any group's.
     */
    private static UnavailableGroup unresolvable(String name, Discovery discovery) {
        if (name.equals("*") || discovery.unavailable().isEmpty() || ResourceFilter.serves(name, discovery.types())) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (UnavailableGroup group : discovery.unavailable()) {
            if (!lower.contains(".") || lower.endsWith("." + group.group())) {
                return group;
            }
        }
        return null;
    }

    private static List<Warning> warnings(List<UnavailableGroup> unavailable) {
        return unavailable.stream().map(u -> new Warning(u.groupVersion(), u.cause())).toList();
    }

    /** The selection narrowed to the resource names this plan's types serve, for per-object decisions. */
    Selection servedBy(Selection selection) {
        return selection.withResources(
                selection.includeResources().stream().filter(n -> ResourceFilter.serves(n, types)).toList(),
                selection.excludeResources().stream().filter(n -> ResourceFilter.serves(n, types)).toList());
    }

    boolean isNamed(ResourceType type) {
        return named.contains(type.qualifiedName());
    }

    String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackupPlan fromJson(String json) {
        try {
            return Json.mapper().readValue(json, new TypeReference<BackupPlan>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
