package jobs.kube;

import java.util.List;

/** Resource types the jobs address directly, at the versions every supported cluster serves. */
public final class KnownTypes {

    public static final ResourceType NAMESPACES = new ResourceType("", "v1", "namespaces", "Namespace", false, List.of("ns"));
    public static final ResourceType PODS = new ResourceType("", "v1", "pods", "Pod", true, List.of("po"));
    public static final ResourceType PERSISTENT_VOLUMES =
            new ResourceType("", "v1", "persistentvolumes", "PersistentVolume", false, List.of("pv"));
    public static final ResourceType PERSISTENT_VOLUME_CLAIMS =
            new ResourceType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"));
    public static final ResourceType VOLUME_SNAPSHOTS =
            new ResourceType("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot", true, List.of("vs"));
    public static final ResourceType VOLUME_SNAPSHOT_CONTENTS = new ResourceType("snapshot.storage.k8s.io", "v1",
            "volumesnapshotcontents", "VolumeSnapshotContent", false, List.of("vsc"));
    public static final ResourceType REPLICA_SETS = new ResourceType("apps", "v1", "replicasets", "ReplicaSet", true, List.of("rs"));

    private KnownTypes() {
    }
}
