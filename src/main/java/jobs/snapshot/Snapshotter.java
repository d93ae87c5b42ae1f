package jobs.snapshot;

import java.time.Duration;
import java.util.Optional;

/** The snapshotter port: takes and deletes volume snapshots for one provider (Azure disk, CSI, none). */
public interface Snapshotter {

    /** {@code azure-disk}, {@code csi} or {@code none}, as recorded with each volume. */
    String provider();

    /** Why this provider cannot snapshot the volume, or empty when it can. */
    Optional<String> unsupportedReason(VolumeRef volume);

    /**
     * Takes a snapshot of the volume for a backup and waits until it is ready. Snapshot names are derived from the
     * backup and the volume, and an existing ready snapshot of that name is returned as is, so a volume is never
     * snapshotted twice for the same backup.
     *
     * @throws SnapshotException when it fails or is not ready within {@code timeout}
     */
    SnapshotResult snapshot(String backupName, VolumeRef volume, Duration timeout);

    /** Deletes a snapshot; one that is already gone counts as deleted. */
    void delete(String snapshotId, java.util.Map<String, String> details);

    /**
     * Makes the data of a snapshotted volume available to a restore, idempotently (names derive from the restore
     * and the volume): for Azure disks a new managed disk from the snapshot, whose resource id is returned; for CSI a
     * pre-provisioned VolumeSnapshotContent and a VolumeSnapshot in {@code targetNamespace}, whose name is returned.
     *
     * @throws SnapshotException when it cannot
     */
    String restoreVolume(String restoreName, jobs.store.Manifest.VolumeRecord volume, String targetNamespace, Duration timeout);
}
