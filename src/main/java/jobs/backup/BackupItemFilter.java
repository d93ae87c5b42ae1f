package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jobs.filter.ClusterResources;
import jobs.filter.LabelSelector;
import jobs.filter.NamespaceFilter;
import jobs.filter.ResourceFilter;
import jobs.filter.Selection;
import jobs.kube.ResourceType;
import jobs.support.Json;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemStream;

/**
 * Decides, object by object, what goes into the restore point: namespace globs, the label selector, the exclusion
 * labels, objects being deleted, and the cluster-scoped toggle. In {@code auto} mode with a namespace filter it
 * remembers what the selected objects need (the PVs bound to selected PVCs, the CRDs of selected custom resources)
 * and lets exactly those cluster-scoped objects through; that memory is part of the step's restart state.
 */
class BackupItemFilter implements ItemProcessor<BackupItem, BackupItem>, ItemStream {

    static final List<String> EXCLUDE_LABELS = List.of("kbackup.io/exclude-from-backup", "velero.io/exclude-from-backup");
    static final String NEEDED = "filter.needed";
    /** The claims selected with a bound volume, as {@code namespace/claim=pv}: what the volumes step snapshots. */
    static final String VOLUMES = "filter.volumes";
    /** API groups served by Kubernetes itself; anything else is a custom resource whose CRD a backup needs. */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy",
            "rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
            "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
            "discovery.k8s.io", "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
            "apiregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "resource.k8s.io",
            "storagemigration.k8s.io", "internal.apiserver.k8s.io", "metrics.k8s.io");

    private final NamespaceFilter namespaces;
    private final LabelSelector selector;
    private final ClusterResources clusterResources;
    private final boolean wholeCluster;
    private final ResourceFilter explicitIncludes;
    private Set<String> needed = new TreeSet<>();
    private Set<String> volumes = new TreeSet<>();

    BackupItemFilter(Selection selection, BackupPlan plan) {
        this.namespaces = selection.namespaceFilter();
        this.selector = selection.labelSelector();
        this.clusterResources = selection.includeClusterResources();
        this.wholeCluster = namespaces.selectsAll();
        List<String> includes = selection.includeResources();
        this.explicitIncludes = includes.isEmpty() || includes.contains("*")
                ? null : ResourceFilter.resolve(includes, List.of(), plan.types());
    }

    @Override
    public BackupItem process(BackupItem item) {
        GenericKubernetesResource object = item.object();
        ObjectMeta meta = object.getMetadata();
        if (meta.getDeletionTimestamp() != null || isExcludedByLabel(meta.getLabels())) {
            return null;
        }
        ResourceType type = item.type();
        if (type.namespaced()) {
            if (!namespaces.matches(meta.getNamespace()) || !selector.matches(meta.getLabels())) {
                return null;
            }
            rememberNeeds(type, object);
            return item;
        }
        return includeClusterScoped(type, object) ? item : null;
    }

    private boolean includeClusterScoped(ResourceType type, GenericKubernetesResource object) {
        ObjectMeta meta = object.getMetadata();
        if (type.qualifiedName().equals("namespaces")) {
            // The namespace objects of selected namespaces always come along, whatever the other filters say.
            return namespaces.matches(meta.getName());
        }
        // What selected objects need (the PV of a claim, the CRD of a custom resource) comes along unless refused.
        boolean needed = this.needed.contains(type.qualifiedName() + "/" + meta.getName());
        // With a resource include list only the types it names come along whole; the others only where needed.
        boolean typeWanted = explicitIncludes == null || explicitIncludes.includes(type);
        return switch (clusterResources) {
            case FALSE -> false;
            case TRUE -> needed || (typeWanted && selector.matches(meta.getLabels()));
            case AUTO -> needed || (typeWanted && (wholeCluster || explicitIncludes != null) && selector.matches(meta.getLabels()));
        };
    }

    private void rememberNeeds(ResourceType type, GenericKubernetesResource object) {
        if (type.qualifiedName().equals("persistentvolumeclaims")) {
            Object spec = object.getAdditionalProperties().get("spec");
            if (spec instanceof Map<?, ?> map && map.get("volumeName") instanceof String pv && !pv.isEmpty()) {
                needed.add("persistentvolumes/" + pv);
                volumes.add(object.getMetadata().getNamespace() + "/" + object.getMetadata().getName() + "=" + pv);
            }
        }
        if (!BUILT_IN_GROUPS.contains(type.group())) {
            needed.add("customresourcedefinitions.apiextensions.k8s.io/" + type.resource() + "." + type.group());
        }
    }

    static boolean isExcludedByLabel(Map<String, String> labels) {
        return labels != null && EXCLUDE_LABELS.stream().anyMatch(l -> "true".equalsIgnoreCase(labels.get(l)));
    }

    @Override
    public void open(ExecutionContext context) {
        needed = readSet(context, NEEDED);
        volumes = readSet(context, VOLUMES);
    }

    @Override
    public void update(ExecutionContext context) {
        try {
            context.putString(NEEDED, Json.mapper().writeValueAsString(needed));
            context.putString(VOLUMES, Json.mapper().writeValueAsString(volumes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TreeSet<String> readSet(ExecutionContext context, String key) {
        if (!context.containsKey(key)) {
            return new TreeSet<>();
        }
        try {
            return Json.mapper().readValue(context.getString(key), new TypeReference<TreeSet<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
