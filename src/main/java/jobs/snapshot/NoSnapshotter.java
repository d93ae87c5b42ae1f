package jobs.snapshot;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jobs.store.Manifest.VolumeRecord;

/** Provider {@code none}: volumes are recorded as not snapshotted, with the reason. */
final class NoSnapshotter implements Snapshotter {

    @Override
    public String provider() {
        return "none";
    }

    @Override
    public Optional<String> unsupportedReason(VolumeRef volume) {
        return Optional.of("no snapshot provider configured (kbackup.snapshots.provider=none)");
    }

    @Override
    public SnapshotResult snapshot(String backupName, VolumeRef volume, Duration timeout) {
        throw new SnapshotException("no snapshot provider configured");
    }

    @Override
    public void delete(String snapshotId, Map<String, String> details) {
        // nothing was ever created
    }

    @Override
    public RestoredVolume restoreVolume(String restoreName, VolumeRecord volume, String targetNamespace,
                                        VolumePlacement placement, Duration timeout) {
        throw new SnapshotException("no snapshot provider configured to restore volume " + volume.persistentVolume());
    }
}
