package jobs.cli;

import java.util.ArrayList;
import java.util.List;
import jobs.filter.ClusterResources;
import jobs.filter.Selection;
import picocli.CommandLine.Option;

/** The selection flags backup and restore share, with the same names and meaning in both. */
class SelectionOptions {

    @Option(names = "--include-namespaces", split = ",", paramLabel = "NS",
            description = "Namespaces; globs *, ? and [abc] allowed (default: all but kube-system, kube-public, kube-node-lease).")
    List<String> includeNamespaces = new ArrayList<>();

    @Option(names = "--exclude-namespaces", split = ",", paramLabel = "NS", description = "Namespaces to leave out; globs allowed.")
    List<String> excludeNamespaces = new ArrayList<>();

    @Option(names = "--include-resources", split = ",", paramLabel = "RESOURCE",
            description = "Resource types: plural, plural.group, kind or short name (default: all but events and nodes).")
    List<String> includeResources = new ArrayList<>();

    @Option(names = "--exclude-resources", split = ",", paramLabel = "RESOURCE", description = "Resource types to leave out.")
    List<String> excludeResources = new ArrayList<>();

    @Option(names = "--selector", paramLabel = "SELECTOR",
            description = "Label selector: k=v, k!=v, k in (a,b), k notin (a,b), k, !k; comma or semicolon separated.")
    String selector = "";

    @Option(names = "--include-cluster-resources", paramLabel = "auto|true|false",
            description = "Cluster-scoped objects: auto (all in a whole-cluster selection, else only what it needs), true, false; default auto.")
    String includeClusterResources;

    /** Checks every flag and returns the selection; throws an input error naming the bad one. */
    Selection toSelection() {
        Inputs.namespaces(includeNamespaces, excludeNamespaces);
        Inputs.resources("--include-resources", includeResources);
        Inputs.resources("--exclude-resources", excludeResources);
        Inputs.selector(selector);
        return new Selection(includeNamespaces, excludeNamespaces, includeResources, excludeResources, selector,
                ClusterResources.parse(includeClusterResources == null ? "auto" : includeClusterResources));
    }

    /** The flags given, with {@code kbackup.backup.*} filling each one that was not; checked like the flags. */
    Selection withDefaults(jobs.config.KbackupProperties.Backup defaults) {
        SelectionOptions merged = new SelectionOptions();
        merged.includeNamespaces = pick(includeNamespaces, defaults.includeNamespaces());
        merged.excludeNamespaces = pick(excludeNamespaces, defaults.excludeNamespaces());
        merged.includeResources = pick(includeResources, defaults.includeResources());
        merged.excludeResources = pick(excludeResources, defaults.excludeResources());
        merged.selector = selector.isEmpty() && defaults.selector() != null ? defaults.selector() : selector;
        merged.includeClusterResources = includeClusterResources != null ? includeClusterResources : defaults.includeClusterResources();
        return merged.toSelection();
    }

    private static List<String> pick(List<String> given, List<String> configured) {
        return given.isEmpty() && configured != null ? configured : given;
    }
}
