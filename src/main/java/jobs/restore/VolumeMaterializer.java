package jobs.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import jobs.snapshot.Snapshotter;
import jobs.store.Manifest.VolumeRecord;

/**
 * Makes a snapshot's data available right before the PV or PVC that uses it is applied, and points the object at
 * it: an Azure PV at the new disk, a PVC at the pre-provisioned VolumeSnapshot. Idempotent by the snapshotter's
 * deterministic names, so a resumed restore reuses what an earlier run made.
 */
final class VolumeMaterializer {

    private final Snapshotter snapshotter;
    private final String restoreName;
    private final Duration timeout;

    VolumeMaterializer(Snapshotter snapshotter, String restoreName, Duration timeout) {
        this.snapshotter = snapshotter;
        this.restoreName = restoreName;
        this.timeout = timeout;
    }

    /** @throws jobs.snapshot.SnapshotException when the data cannot be made available */
    void materialize(VolumeRecord volume, ObjectNode desired, String targetNamespace) {
        String made = snapshotter.restoreVolume(restoreName, volume, targetNamespace, timeout);
        ObjectNode spec = desired.with("spec");
        if (desired.path("kind").asText().equals("PersistentVolumeClaim")) {
            spec.with("dataSource").put("name", made);
        } else if (spec.path("csi") instanceof ObjectNode csi) {
            csi.put("volumeHandle", made);
        } else if (spec.path("azureDisk") instanceof ObjectNode azureDisk) {
            azureDisk.put("diskURI", made);
            azureDisk.put("diskName", made.substring(made.lastIndexOf('/') + 1));
        }
    }
}
