package jobs.snapshot;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jobs.kube.AwaitTimeoutException;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.KnownTypes;
import jobs.store.Manifest.VolumeRecord;

/**
 * CSI snapshots: a {@code snapshot.storage.k8s.io/v1} VolumeSnapshot of each claim, in the claim's namespace, with
 * the configured VolumeSnapshotClass, watched until the snapshot controller reports it ready to use (a watch, not a
 * poll, so a snapshot is taken up the moment it is ready). The bound VolumeSnapshotContent is then set to
 * {@code Retain}, so it outlives the namespace, and its handle is recorded, so a restore can pre-provision the snapshot
 * in this cluster or another.
 */
final class CsiSnapshotter implements Snapshotter {

    static final String BACKUP_LABEL = "kbackup.io/backup-name";
    private static final String RETAIN = "Retain";
    /** Kubernetes object names: at most 253 characters; 63 keeps them readable and label-safe. */
    private static final int MAX_NAME = 63;

    private final Cluster cluster;
    private final String snapshotClass;

    CsiSnapshotter(Cluster cluster, String snapshotClass) {
        this.cluster = cluster;
        this.snapshotClass = snapshotClass;
    }

    @Override
    public String provider() {
        return SnapshotDetails.CSI;
    }

    @Override
    public Optional<String> unsupportedReason(VolumeRef volume) {
        if (volume.driver() == null || VolumeRef.IN_TREE_AZURE_DISK.equals(volume.driver())) {
            return Optional.of("volume is not provisioned by a CSI driver; the csi provider cannot snapshot it");
        }
        return Optional.empty();
    }

    @Override
    public SnapshotResult snapshot(String backupName, VolumeRef volume, Duration timeout) {
        return start(backupName, volume, timeout).awaitReady(timeout);
    }

    /** Cut when the snapshot controller has set the VolumeSnapshot's {@code status.creationTime}. */
    @Override
    public Cut start(String backupName, VolumeRef volume, Duration timeout) {
        String name = SnapshotNames.of(backupName, volume.claim(), MAX_NAME);
        String where = "VolumeSnapshot " + volume.namespace() + "/" + name;
        try {
            try {
                cluster.create(KnownTypes.VOLUME_SNAPSHOTS, request(backupName, volume, name));
            } catch (ClusterAccessException e) {
                // Asked for by an earlier run of this backup (killed, or its post hooks ran): adopt it, never take a
                // second. Created first rather than looked up, since a frozen pod waits on this round trip.
                if (!e.isConflict()) {
                    throw e;
                }
            }
            GenericKubernetesResource cut = await(volume, name, where, "cut", timeout,
                    s -> s == null || nested(s, "status", "creationTime") != null || isReady(s) || error(s) != null);
            if (error(cut) != null) {
                throw new SnapshotException(where + " failed: " + error(cut));
            }
            return readyWithin -> ready(volume, name, where, readyWithin);
        } catch (ClusterAccessException e) {
            throw new SnapshotException(where + ": " + e.getMessage(), e);
        }
    }

    /** Watched, not polled: the snapshot is taken up the moment the controller reports the awaited state. */
    private GenericKubernetesResource await(VolumeRef volume, String name, String where, String state, Duration timeout,
                                            Predicate<GenericKubernetesResource> condition) {
        try {
            return cluster.await(KnownTypes.VOLUME_SNAPSHOTS, volume.namespace(), name, condition, timeout)
                    .orElseThrow(() -> new SnapshotException(where + " disappeared while waiting for it"));
        } catch (AwaitTimeoutException e) {
            throw new SnapshotException(where + " was not " + state + " within " + timeout, e);
        }
    }

    private SnapshotResult ready(VolumeRef volume, String name, String where, Duration timeout) {
        try {
            GenericKubernetesResource snapshot = await(volume, name, where, "ready to use", timeout,
                    s -> s == null || isReady(s) || error(s) != null);
            if (!isReady(snapshot)) {
                throw new SnapshotException(where + " failed: " + error(snapshot));
            }
            String contentName = nested(snapshot, "status", "boundVolumeSnapshotContentName");
            GenericKubernetesResource content = cluster.get(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, contentName)
                    .orElseThrow(() -> new SnapshotException(where + " is bound to a missing VolumeSnapshotContent " + contentName));
            String handle = nested(content, "status", "snapshotHandle");
            retain(contentName, content);
            Map<String, String> details = new LinkedHashMap<>();
            details.put(SnapshotDetails.VOLUME_SNAPSHOT, volume.namespace() + "/" + name);
            details.put(SnapshotDetails.VOLUME_SNAPSHOT_CONTENT, contentName);
            details.put(SnapshotDetails.DRIVER, volume.driver());
            if (snapshotClass != null) {
                details.put(SnapshotDetails.VOLUME_SNAPSHOT_CLASS, snapshotClass);
            }
            if (volume.capacity() != null) {
                details.put(SnapshotDetails.CAPACITY, volume.capacity());
            }
            return new SnapshotResult(handle, details);
        } catch (ClusterAccessException e) {
            throw new SnapshotException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the content outlive its VolumeSnapshot, as Velero does: with the class's usual {@code Delete} policy,
     * deleting the workload's namespace (the disaster a backup is for) would delete the content and the storage
     * snapshot behind it. The purge deletes both explicitly.
     */
    private void retain(String contentName, GenericKubernetesResource content) {
        if (!RETAIN.equals(nested(content, "spec", "deletionPolicy"))) {
            cluster.mergePatch(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, contentName, "{\"spec\":{\"deletionPolicy\":\"Retain\"}}");
        }
    }

    private GenericKubernetesResource request(String backupName, VolumeRef volume, String name) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("source", Map.of("persistentVolumeClaimName", volume.claim()));
        if (snapshotClass != null && !snapshotClass.isBlank()) {
            spec.put("volumeSnapshotClassName", snapshotClass);
        }
        return new GenericKubernetesResourceBuilder().withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshot")
                .withNewMetadata().withName(name).withNamespace(volume.namespace())
                .addToLabels(BACKUP_LABEL, backupName).endMetadata()
                .addToAdditionalProperties("spec", spec).build();
    }

    /**
     * Deletes the storage snapshot through its content: the content's policy is set back to {@code Delete}, then the
     * VolumeSnapshot (if its namespace still has it) and the content are deleted, and the snapshot controller deletes
     * the storage snapshot. Anything already gone is fine, so a purge can be run again.
     */
    @Override
    public void delete(String snapshotId, Map<String, String> details) {
        String content = details.get(SnapshotDetails.VOLUME_SNAPSHOT_CONTENT);
        String ref = details.get(SnapshotDetails.VOLUME_SNAPSHOT);
        try {
            if (content != null && cluster.get(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, content).isPresent()) {
                cluster.mergePatch(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, content, "{\"spec\":{\"deletionPolicy\":\"Delete\"}}");
            }
            if (ref != null) {
                String[] nsName = ref.split("/", 2);
                cluster.delete(KnownTypes.VOLUME_SNAPSHOTS, nsName[0], nsName[1]);
            }
            if (content != null) {
                cluster.delete(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, content);
            }
        } catch (ClusterAccessException e) {
            throw new SnapshotException("delete of snapshot " + snapshotId + " (VolumeSnapshot " + ref + ", VolumeSnapshotContent "
                    + content + ") failed: " + e.getMessage(), e);
        }
    }

    @Override
    public RestoredVolume restoreVolume(String restoreName, VolumeRecord volume, String targetNamespace,
                                        VolumePlacement placement, Duration timeout) {
        // Pre-provisioned from the recorded handle, so it works in another cluster and in a mapped namespace alike.
        String name = SnapshotNames.of(restoreName, volume.claim(), MAX_NAME);
        Map<String, Object> contentSpec = new LinkedHashMap<>();
        contentSpec.put("driver", volume.driver());
        contentSpec.put("deletionPolicy", "Retain");
        contentSpec.put("source", Map.of("snapshotHandle", volume.snapshotId()));
        contentSpec.put("volumeSnapshotRef", Map.of("namespace", targetNamespace, "name", name));
        String snapshotClass = volume.details().get(SnapshotDetails.VOLUME_SNAPSHOT_CLASS);
        if (snapshotClass != null) {
            contentSpec.put("volumeSnapshotClassName", snapshotClass);
        }
        String contentName = name + "-" + Integer.toHexString(targetNamespace.hashCode());
        try {
            if (cluster.get(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, null, contentName).isEmpty()) {
                cluster.create(KnownTypes.VOLUME_SNAPSHOT_CONTENTS, new GenericKubernetesResourceBuilder()
                        .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshotContent")
                        .withNewMetadata().withName(contentName).addToLabels("kbackup.io/restore-name", restoreName).endMetadata()
                        .addToAdditionalProperties("spec", contentSpec).build());
            }
            if (cluster.get(KnownTypes.VOLUME_SNAPSHOTS, targetNamespace, name).isEmpty()) {
                cluster.create(KnownTypes.VOLUME_SNAPSHOTS, new GenericKubernetesResourceBuilder()
                        .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshot")
                        .withNewMetadata().withName(name).withNamespace(targetNamespace)
                        .addToLabels("kbackup.io/restore-name", restoreName).endMetadata()
                        .addToAdditionalProperties("spec", Map.of("source", Map.of("volumeSnapshotContentName", contentName)))
                        .build());
            }
            return new RestoredVolume(name, null); // the CSI driver provisions the claim in a zone it can reach
        } catch (ClusterAccessException e) {
            throw new SnapshotException("VolumeSnapshot " + targetNamespace + "/" + name + " for volume "
                    + volume.persistentVolume() + ": " + e.getMessage(), e);
        }
    }

    private static String error(GenericKubernetesResource snapshot) {
        return nested(snapshot, "status", "error", "message");
    }

    private static boolean isReady(GenericKubernetesResource snapshot) {
        Object status = snapshot.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("readyToUse"));
    }

    private static String nested(GenericKubernetesResource object, String... path) {
        Object current = object.getAdditionalProperties();
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current == null ? null : current.toString();
    }
}
