package jobs.snapshot;

/**
 * The keys of a volume record's details that a restore reads, per provider: what an import from another tool must
 * fill in for kbackup to restore its snapshots.
 */
public final class SnapshotDetails {

    public static final String AZURE_DISK = "azure-disk";
    public static final String CSI = "csi";

    /** azure-disk: the snapshot's region; when absent, a restore asks the snapshot itself. */
    public static final String REGION = "region";
    /** azure-disk: the source disk's SKU, e.g. Premium_LRS. */
    public static final String SKU = "sku";
    /** azure-disk: the source disk's zone number, e.g. 1. */
    public static final String ZONE = "zone";
    /** azure-disk: the snapshot's name. */
    public static final String SNAPSHOT_NAME = "snapshotName";
    /** azure-disk: the disk it was taken of. */
    public static final String SOURCE_DISK = "sourceDisk";

    /** csi: the VolumeSnapshotContent that held the snapshot. */
    public static final String VOLUME_SNAPSHOT_CONTENT = "volumeSnapshotContent";
    /** csi: the VolumeSnapshot ({@code namespace/name}) that held it. */
    public static final String VOLUME_SNAPSHOT = "volumeSnapshot";
    /** csi: the VolumeSnapshotClass it was taken with. */
    public static final String VOLUME_SNAPSHOT_CLASS = "volumeSnapshotClass";
    /** csi: the CSI driver. */
    public static final String DRIVER = "driver";
    /** csi: the restore size, a quantity. */
    public static final String CAPACITY = "capacity";

    private SnapshotDetails() {
    }
}
