package jobs.snapshot;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jobs.store.Manifest.VolumeRecord;

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

    /**
     * A snapshot whose point in time is fixed ("cut"), though its data may still be on its way to storage: what a
     * freeze hook must wait for, and no longer.
     */
    @FunctionalInterface
    interface Cut {

        /** Waits until the snapshot is ready to restore from. @throws SnapshotException when it fails or times out */
        SnapshotResult awaitReady(Duration timeout);
    }

    /** A snapshot whose requests that can come before a freeze have been made: only starting it is left. */
    @FunctionalInterface
    interface Prepared {

        /** Starts it, like {@link Snapshotter#start}, and returns once it is cut. */
        Cut start(Duration timeout);
    }

    /**
     * Makes the requests a snapshot needs before it is started (finding the source disk, an existing snapshot), so
     * a pod frozen for it waits for the start alone. By default there are none.
     *
     * @throws SnapshotException when the snapshot cannot be taken (its source is gone)
     */
    default Prepared prepare(String backupName, VolumeRef volume) {
        return timeout -> start(backupName, volume, timeout);
    }

    /**
     * Starts a snapshot like {@link #snapshot} and returns once it is cut: the Azure snapshot PUT accepted, the CSI
     * VolumeSnapshot's {@code creationTime} set. By default, once it is ready.
     *
     * @throws SnapshotException when it cannot be started or cut within {@code timeout}
     */
    default Cut start(String backupName, VolumeRef volume, Duration timeout) {
        SnapshotResult ready = snapshot(backupName, volume, timeout);
        return ignored -> ready;
    }

    /** Deletes a snapshot; one that is already gone counts as deleted. */
    void delete(String snapshotId, Map<String, String> details);

    /**
     * Makes the data of a snapshotted volume available to a restore, idempotently (names derive from the restore
     * and the volume): for Azure disks a new managed disk from the snapshot, whose resource id is returned; for CSI a
     * pre-provisioned VolumeSnapshotContent and a VolumeSnapshot in {@code targetNamespace}, whose name is returned.
     * A new disk gets the recorded properties of its source disk (SKU, size, zone, tags, encryption, network access),
     * except where {@code placement} overrides them.
     *
     * @throws SnapshotException when it cannot
     */
    RestoredVolume restoreVolume(String restoreName, VolumeRecord volume, String targetNamespace, VolumePlacement placement,
                                 Duration timeout);
}
