package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jobs.filter.ObjectSelector;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;
import jobs.snapshot.SnapshotException;
import jobs.snapshot.Snapshotter;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Turns a backed-up object into what to apply: selection, the skip rules (objects their controllers recreate,
 * finished Jobs and Pods, kbackup's own snapshot objects), cleaning, volumes from snapshots, namespace mapping,
 * resource modifiers, and the labels naming the backup and the restore.
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
    private final Snapshotter snapshotter;
    private final Cluster cluster;
    private final Duration volumeTimeout;

    RestoreProcessor(RestoreParameters parameters, Manifest manifest, RestorePlan plan, Set<String> needed,
                     ResourceModifiers modifiers, Snapshotter snapshotter, Cluster cluster, Duration volumeTimeout) {
        this.parameters = parameters;
        this.selector = new ObjectSelector(parameters.selection(), RestorePlan.storedTypes(manifest));
        this.needed = needed;
        this.restoredKinds = plan.types().stream().map(ResourceType::kind).collect(Collectors.toSet());
        this.volumesByPv = manifest.volumes().stream().collect(Collectors.toMap(VolumeRecord::persistentVolume, v -> v, (a, b) -> a));
        this.volumesByClaim = manifest.volumes().stream()
                .collect(Collectors.toMap(v -> v.namespace() + "/" + v.claim(), v -> v, (a, b) -> a));
        this.modifiers = modifiers;
        this.snapshotter = snapshotter;
        this.cluster = cluster;
        this.volumeTimeout = volumeTimeout;
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
        String note;
        try {
            note = volumes(type, object, sourceNamespace, targetNamespace);
        } catch (SnapshotException e) {
            return RestoreAction.decided(type, targetNamespace, name, Outcome.FAILED, e.getMessage());
        }
        if (note != null && note.startsWith(Outcome.SKIPPED + ":")) {
            return RestoreAction.decided(type, targetNamespace, name, Outcome.SKIPPED, note.substring(Outcome.SKIPPED.length() + 1).trim());
        }
        mapNamespaces(type, object);
        try {
            object = modifiers.apply(type.qualifiedName(), object);
        } catch (RuntimeException e) {
            return RestoreAction.decided(type, targetNamespace, name, Outcome.FAILED, "resource modifiers failed: " + e.getMessage());
        }
        ObjectNode finalLabels = object.with("metadata").with("labels");
        finalLabels.put(BACKUP_LABEL, parameters.backup());
        finalLabels.put(RESTORE_LABEL, parameters.name());
        return RestoreAction.apply(type, object, note);
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

    /** Points PVs and PVCs at the data of their snapshots; returns a note for the report, or "Skipped: reason". */
    private String volumes(ResourceType type, ObjectNode object, String sourceNamespace, String targetNamespace) {
        if (type.qualifiedName().equals("persistentvolumes")) {
            VolumeRecord volume = volumesByPv.get(object.path("metadata").path("name").asText());
            if (volume == null) {
                return null;
            }
            if (!parameters.restoreVolumes()) {
                return Outcome.SKIPPED + ": volume not restored (--restore-volumes false); its claim is provisioned fresh";
            }
            if (!volume.isCompleted()) {
                return "restored without data: its snapshot is " + volume.phase();
            }
            if ("csi".equals(volume.provider())) {
                return Outcome.SKIPPED + ": provisioned from its VolumeSnapshot through the claim";
            }
            String pvName = volume.persistentVolume();
            if (cluster.get(KnownTypes.PERSISTENT_VOLUMES, null, pvName).isPresent()) {
                return Outcome.SKIPPED + ": already exists; its data is not restored again";
            }
            if (parameters.dryRun()) {
                return "would create a disk from snapshot " + volume.snapshotId();
            }
            String disk = snapshotter.restoreVolume(parameters.name(), volume, targetNamespace, volumeTimeout);
            ObjectNode spec = object.with("spec");
            if (spec.path("csi") instanceof ObjectNode csi) {
                csi.put("volumeHandle", disk);
            } else if (spec.path("azureDisk") instanceof ObjectNode azureDisk) {
                azureDisk.put("diskURI", disk);
                azureDisk.put("diskName", disk.substring(disk.lastIndexOf('/') + 1));
            }
            return "disk " + disk + " created from snapshot " + volume.snapshotId();
        }
        if (type.qualifiedName().equals("persistentvolumeclaims")) {
            VolumeRecord volume = volumesByClaim.get(sourceNamespace + "/" + object.path("metadata").path("name").asText());
            if (volume == null) {
                return null;
            }
            ObjectNode spec = object.with("spec");
            if (!parameters.restoreVolumes()) {
                spec.remove("volumeName");
                return "provisioned fresh, without data";
            }
            if (volume.isCompleted() && "csi".equals(volume.provider())) {
                String snapshot = parameters.dryRun() ? "(dry run)"
                        : snapshotter.restoreVolume(parameters.name(), volume, targetNamespace, volumeTimeout);
                spec.remove("volumeName");
                ObjectNode dataSource = spec.putObject("dataSource");
                dataSource.put("apiGroup", "snapshot.storage.k8s.io").put("kind", "VolumeSnapshot").put("name", snapshot);
                return "provisioned from VolumeSnapshot " + targetNamespace + "/" + snapshot;
            }
        }
        return null;
    }

    /** Rewrites the namespace of the object and the namespaces it refers to. */
    private void mapNamespaces(ResourceType type, ObjectNode object) {
        if (parameters.namespaceMapping().isEmpty()) {
            return;
        }
        ObjectNode meta = object.with("metadata");
        if (type.namespaced()) {
            meta.put("namespace", parameters.targetNamespace(meta.path("namespace").asText()));
        }
        switch (type.qualifiedName()) {
            case "namespaces" -> meta.put("name", parameters.targetNamespace(meta.path("name").asText()));
            case "persistentvolumes" -> {
                if (object.path("spec").path("claimRef") instanceof ObjectNode claimRef && claimRef.hasNonNull("namespace")) {
                    claimRef.put("namespace", parameters.targetNamespace(claimRef.path("namespace").asText()));
                }
            }
            case "rolebindings.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io" -> {
                if (object.path("subjects") instanceof ArrayNode subjects) {
                    for (JsonNode subject : subjects) {
                        if (subject.hasNonNull("namespace")) {
                            ((ObjectNode) subject).put("namespace", parameters.targetNamespace(subject.path("namespace").asText()));
                        }
                    }
                }
            }
            default -> {
            }
        }
    }

    private static Map<String, String> labels(JsonNode meta) {
        Map<String, String> labels = new HashMap<>();
        meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
