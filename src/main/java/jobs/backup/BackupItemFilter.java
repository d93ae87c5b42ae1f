package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jobs.filter.ObjectSelector;
import jobs.filter.Selection;
import jobs.hooks.BackupHookRules;
import jobs.hooks.PodHooks;
import jobs.kube.ResourceType;
import jobs.support.Json;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Decides, object by object, what goes into the restore point: namespace globs, the label selector, the exclusion
 * labels, objects being deleted, and the cluster-scoped toggle. In {@code auto} mode with a namespace filter it
 * remembers what the selected objects need (the PVs bound to selected PVCs, the CRDs of selected custom resources)
 * and lets exactly those cluster-scoped objects through; that memory is part of the step's restart state.
 */
class BackupItemFilter implements ItemProcessor<BackupItem, BackupItem>, ItemFilter {

    static final List<String> EXCLUDE_LABELS = List.of("kbackup.io/exclude-from-backup", "velero.io/exclude-from-backup");
    static final String NEEDED = "filter.needed";

    private final ObjectSelector selector;
    private Set<String> needed = new TreeSet<>();
    /** The claims selected with a bound volume, as {@code namespace/claim=pv}: what the volumes step snapshots. */
    private Set<String> volumes = new TreeSet<>();
    /** Running pods that declare backup hooks, as {@code namespace/pod} to the claims they mount. */
    private Map<String, List<String>> hookPods = new TreeMap<>();

    private final BackupHookRules hookRules;

    BackupItemFilter(Selection selection, BackupPlan plan, BackupHookRules hookRules) {
        this.selector = new ObjectSelector(plan.servedBy(selection), plan.types());
        this.hookRules = hookRules;
    }

    @Override
    public BackupItem process(BackupItem item) {
        ObjectMeta meta = item.object().metadata();
        if (meta.getDeletionTimestamp() != null || isExcludedByLabel(meta.getLabels())) {
            return null;
        }
        ResourceType type = item.type();
        if (!type.namespaced()) {
            return selector.selectsClusterScoped(type, meta.getName(), meta.getLabels(), needed) ? item : null;
        }
        if (!selector.selectsNamespaced(meta.getNamespace(), meta.getLabels())) {
            return null;
        }
        String volumeName = item.object().volumeName();
        List<String> needs = ObjectSelector.needs(type, volumeName);
        needed.addAll(needs);
        if (volumeName != null && !needs.isEmpty() && type.qualifiedName().equals("persistentvolumeclaims")) {
            volumes.add(meta.getNamespace() + "/" + meta.getName() + "=" + volumeName);
        }
        if (type.qualifiedName().equals("pods")
                && (PodHooks.declared(meta.getAnnotations()) || hookRules.selects(meta.getNamespace(), meta.getLabels()))) {
            rememberHookPod(item);
        }
        return item;
    }

    /** A running pod with hooks, and the claims it mounts: the volumes step freezes it around their snapshots. */
    private void rememberHookPod(BackupItem item) {
        try {
            JsonNode pod = Json.mapper().readTree(item.object().json());
            String phase = pod.path("status").path("phase").asText("");
            if (phase.equals("Succeeded") || phase.equals("Failed")) {
                return;
            }
            List<String> claims = new ArrayList<>();
            for (JsonNode volume : pod.path("spec").path("volumes")) {
                String claim = volume.path("persistentVolumeClaim").path("claimName").asText("");
                if (!claim.isEmpty()) {
                    claims.add(claim);
                }
            }
            ObjectMeta meta = item.object().metadata();
            hookPods.put(meta.getNamespace() + "/" + meta.getName(), claims);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isExcludedByLabel(Map<String, String> labels) {
        return labels != null && EXCLUDE_LABELS.stream().anyMatch(l -> "true".equalsIgnoreCase(labels.get(l)));
    }

    @Override
    public void open(ExecutionContext context) {
        needed = context.containsKey(NEEDED) ? Json.read(context.getString(NEEDED), new TypeReference<TreeSet<String>>() { })
                : new TreeSet<>();
        volumes = BackupHandoff.claims(context);
        hookPods = BackupHandoff.hookPods(context);
    }

    @Override
    public void update(ExecutionContext context) {
        context.putString(NEEDED, Json.write(needed));
        BackupHandoff.claims(context, volumes);
        BackupHandoff.hookPods(context, hookPods);
    }
}
