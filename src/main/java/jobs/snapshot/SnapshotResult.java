package jobs.snapshot;

import java.util.Map;

/**
 * A snapshot that is ready to restore from.
 *
 * @param snapshotId provider id: the Azure snapshot resource id, or the CSI snapshot handle
 * @param details    what a restore needs besides the id (snapshot name, source disk, region, VolumeSnapshot, ...)
 */
public record SnapshotResult(String snapshotId, Map<String, String> details) {

    public SnapshotResult {
        details = Map.copyOf(details);
    }
}
