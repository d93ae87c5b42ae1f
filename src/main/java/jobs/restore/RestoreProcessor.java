package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jobs.filter.ObjectSelector;
import jobs.hooks.RestoreHookRules;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;
import jobs.store.Manifest;
import jobs.snapshot.SnapshotNames;
import jobs.store.Manifest.VolumeRecord;
import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Turns a backed-up object into what to apply: selection, the skip rules (objects their controllers recreate,
 * finished Jobs and Pods, kbackup's own snapshot objects), cleaning, volumes from snapshots, namespace mapping,
 * resource modifiers, restore hooks (init containers; exec hooks for the hooks step), and the labels naming the
 * backup and the restore.
 */
class RestoreProcessor implements ItemProcessor<RestoreItem, RestoreAction> {

    static final String BACKUP_LABEL = "kbackup.io/backup-name";
    static final String RESTORE_LABEL = "kbackup.io/restore-name";

    private final RestoreParameters parameters;
    private final ObjectSelector selector;
    private final Set<String> needed;
    private final Set<String> restoredKinds;
    private final Map<String, VolumeRecord> volumesByPv;
    private final Map<String, VolumeRecord> volumesByClaim;
    private final ResourceModifiers modifiers;
    private final PodTemplateHooks hooks;
    private final Cluster cluster;

    RestoreProcessor(RestoreParameters parameters, Manifest manifest, RestorePlan plan, Set<String> needed,
                     ResourceModifiers modifiers, RestoreHookRules hookRules, Cluster cluster) {
        this.parameters = parameters;
        this.selector = new ObjectSelector(parameters.selection(), RestorePlan.storedTypes(manifest));
        this.needed = needed;
        this.restoredKinds = plan.types().stream().map(ResourceType::kind).collect(Collectors.toSet());
        this.volumesByPv = manifest.volumes().stream().collect(Collectors.toMap(VolumeRecord::persistentVolume, v -> v, (a, b) -> a));
        this.volumesByClaim = manifest.volumes().stream()
                .collect(Collectors.toMap(v -> v.namespace() + "/" + v.claim(), v -> v, (a, b) -> a));
        this.modifiers = modifiers;
        this.hooks = new PodTemplateHooks(hookRules, parameters.dryRun());
        this.cluster = cluster;
    }

    @Override
    public RestoreAction process(RestoreItem item) {
        ResourceType type = item.type();
        ObjectNode object = item.object().deepCopy();
        JsonNode meta = object.path("metadata");
        String name = meta.path("name").asText();
        String sourceNamespace = type.namespaced() ? meta.path("namespace").asText() : null;
        Map<String, String> labels = labels(meta);
        boolean selected = type.namespaced()
                ? selector.selectsNamespaced(sourceNamespace, labels)
                : selector.selectsClusterScoped(type, name, labels, needed);
        if (!selected) {
            return null;
        }
        String targetNamespace = parameters.targetNamespace(sourceNamespace);
        String skip = skipReason(type, object, labels);
        if (skip != null) {
            return RestoreAction.decided(type, targetNamespace, mappedName(type, name), Outcome.SKIPPED, skip);
        }
        ObjectCleaner.clean(object);
        VolumePlan volume = volumes(type, object, sourceNamespace);
        if (volume.skip()) {
            return RestoreAction.decided(type, targetNamespace, name, Outcome.SKIPPED, volume.note());
        }
        mapNamespaces(type, object);
        try {
            object = modifiers.apply(type, sourceNamespace, object);
        } catch (RuntimeException e) {
            return RestoreAction.decided(type, targetNamespace, name, Outcome.FAILED, "resource modifiers failed: " + e.getMessage());
        }
        PodTemplateHooks.Planned hooked = hooks.apply(type, sourceNamespace, object, targetNamespace);
        ObjectNode finalLabels = object.with("metadata").with("labels");
        finalLabels.put(BACKUP_LABEL, parameters.backup());
        finalLabels.put(RESTORE_LABEL, parameters.name());
        if (hooked == null) {
            return RestoreAction.apply(type, object, volume.note(), volume.materialize(), null);
        }
        String note = volume.note() == null ? hooked.note() : volume.note() + "; " + hooked.note();
        return RestoreAction.apply(type, object, note, volume.materialize(), hooked.target());
    }

    private String mappedName(ResourceType type, String name) {
        return type.qualifiedName().equals("namespaces") ? parameters.targetNamespace(name) : name;
    }

    /** Why an object is not restored, or null. */
    private String skipReason(ResourceType type, ObjectNode object, Map<String, String> labels) {
        if (labels.containsKey(BACKUP_LABEL) && type.group().equals("snapshot.storage.k8s.io")) {
            return "snapshot object made by kbackup for backup " + labels.get(BACKUP_LABEL);
        }
        for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false) && restoredKinds.contains(owner.path("kind").asText())) {
                return "recreated by its controller " + owner.path("kind").asText() + " " + owner.path("name").asText();
            }
        }
        String phase = object.path("status").path("phase").asText("");
        if (type.qualifiedName().equals("pods") && (phase.equals("Succeeded") || phase.equals("Failed"))) {
            return "pod finished (" + phase + ")";
        }
        if (type.qualifiedName().equals("jobs.batch")) {
            for (JsonNode condition : object.path("status").path("conditions")) {
                String kind = condition.path("type").asText();
                if ((kind.equals("Complete") || kind.equals("Failed")) && condition.path("status").asText().equals("True")) {
                    return "job finished (" + kind + ")";
                }
            }
        }
        return null;
    }

    /**
     * What a PV or PVC needs from its snapshot.
     *
     * @param note        for the report
     * @param skip        whether the object is not applied at all (the note says why)
     * @param materialize the snapshot whose data the writer makes available just before applying, or null
     */
    record VolumePlan(String note, boolean skip, VolumeRecord materialize) {

        static final VolumePlan NONE = new VolumePlan(null, false, null);
    }

    /**
     * Decides how PVs and PVCs get the data of their snapshots. Nothing is created here: the writer makes the
     * disk or VolumeSnapshot when it applies the object, in priority order and after its namespace exists.
     */
    private VolumePlan volumes(ResourceType type, ObjectNode object, String sourceNamespace) {
        if (type.qualifiedName().equals("persistentvolumes")) {
            VolumeRecord volume = volumesByPv.get(object.path("metadata").path("name").asText());
            if (volume == null) {
                return VolumePlan.NONE;
            }
            if (!parameters.restoreVolumes()) {
                return new VolumePlan("volume not restored (--restore-volumes false); its claim is provisioned fresh", true, null);
            }
            if (!volume.isCompleted()) {
                return new VolumePlan("restored without data: its snapshot is " + volume.phase(), false, null);
            }
            if ("csi".equals(volume.provider())) {
                return new VolumePlan("provisioned from its VolumeSnapshot through the claim", true, null);
            }
            String copy = "";
            if (cluster.get(KnownTypes.PERSISTENT_VOLUMES, null, volume.persistentVolume()).isPresent()) {
                if (!isCopy(volume)) {
                    return new VolumePlan("already exists; its data is not restored again", true, null);
                }
                // A copy of the claim in another namespace of this cluster gets a PV of its own.
                object.with("metadata").put("name", copyName(volume));
                copy = "a copy of " + volume.persistentVolume() + ", ";
            }
            String disk = "disk" + parameters.placement().describe(volume.details()) + " from snapshot " + volume.snapshotId();
            return new VolumePlan(copy + (parameters.dryRun() ? "would create a " : "created a ") + disk, false, volume);
        }
        if (type.qualifiedName().equals("persistentvolumeclaims")) {
            VolumeRecord volume = volumesByClaim.get(sourceNamespace + "/" + object.path("metadata").path("name").asText());
            if (volume == null) {
                return VolumePlan.NONE;
            }
            ObjectNode spec = object.with("spec");
            if (!parameters.restoreVolumes()) {
                spec.remove("volumeName");
                return new VolumePlan("provisioned fresh, without data", false, null);
            }
            if (volume.isCompleted() && !"csi".equals(volume.provider()) && isCopy(volume)) {
                spec.put("volumeName", copyName(volume));
                return new VolumePlan("bound to " + copyName(volume) + ", its own copy of " + volume.persistentVolume(), false, null);
            }
            if (volume.isCompleted() && "csi".equals(volume.provider())) {
                spec.remove("volumeName");
                spec.putObject("dataSource").put("apiGroup", "snapshot.storage.k8s.io").put("kind", "VolumeSnapshot")
                        .put("name", "(dry run)");
                // A dry run carries the volume too, for the permissions its snapshot objects need; nothing is made.
                return new VolumePlan((parameters.dryRun() ? "would be provisioned" : "provisioned") + " from a VolumeSnapshot of "
                        + volume.snapshotId(), false, volume);
            }
        }
        return VolumePlan.NONE;
    }

    /**
     * Whether restoring this volume's claim makes a copy beside the original: its PV still exists in the target
     * cluster, bound to a claim other than the one being restored (the source namespace, mapped elsewhere). The PV
     * is read before anything of this restore is applied to it, so a PV and its claim decide alike.
     */
    private boolean isCopy(VolumeRecord volume) {
        var existing = cluster.get(KnownTypes.PERSISTENT_VOLUMES, null, volume.persistentVolume()).orElse(null);
        if (existing == null || !(existing.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("claimRef") instanceof Map<?, ?> claimRef)) {
            return false;
        }
        return !(parameters.targetNamespace(volume.namespace()).equals(claimRef.get("namespace"))
                && volume.claim().equals(claimRef.get("name")));
    }

    private String copyName(VolumeRecord volume) {
        return SnapshotNames.of(parameters.name(), volume.persistentVolume(), 253);
    }

    /** Rewrites the namespace of the object and the namespaces it refers to. */
    private void mapNamespaces(ResourceType type, ObjectNode object) {
        if (!parameters.namespaceMapping().isEmpty()) {
            NamespaceMapper.map(type, object, parameters::targetNamespace);
        }
    }

    private static Map<String, String> labels(JsonNode meta) {
        Map<String, String> labels = new HashMap<>();
        meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
