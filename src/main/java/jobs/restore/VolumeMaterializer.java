package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import jobs.snapshot.RestoredVolume;
import jobs.snapshot.Snapshotter;
import jobs.snapshot.VolumePlacement;
import jobs.store.Manifest.VolumeRecord;

/**
 * Makes a snapshot's data available right before the PV or PVC that uses it is applied, and points the object at
 * it: an Azure PV at the new disk, a PVC at the pre-provisioned VolumeSnapshot. Idempotent by the snapshotter's
 * deterministic names, so a resumed restore reuses what an earlier run made.
 */
final class VolumeMaterializer {

    /** Node labels that place a pod in a zone, in the PV's node affinity and labels: the CSI driver's first. */
    static final List<String> ZONE_KEYS = List.of("topology.disk.csi.azure.com/zone", "topology.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/zone");

    private final Snapshotter snapshotter;
    private final String restoreName;
    private final VolumePlacement placement;
    private final Duration timeout;

    VolumeMaterializer(Snapshotter snapshotter, String restoreName, VolumePlacement placement, Duration timeout) {
        this.snapshotter = snapshotter;
        this.restoreName = restoreName;
        this.placement = placement;
        this.timeout = timeout;
    }

    /** @throws jobs.snapshot.SnapshotException when the data cannot be made available */
    void materialize(VolumeRecord volume, ObjectNode desired, String targetNamespace) {
        RestoredVolume made = snapshotter.restoreVolume(restoreName, volume, targetNamespace, placement, timeout);
        ObjectNode spec = desired.with("spec");
        if (desired.path("kind").asText().equals("PersistentVolumeClaim")) {
            spec.with("dataSource").put("name", made.reference());
            return;
        }
        if (spec.path("csi") instanceof ObjectNode csi) {
            csi.put("volumeHandle", made.reference());
            placeInZone(desired, made.topologyZone(), ZONE_KEYS.get(0));
        } else if (spec.path("azureDisk") instanceof ObjectNode azureDisk) {
            azureDisk.put("diskURI", made.reference());
            azureDisk.put("diskName", made.reference().substring(made.reference().lastIndexOf('/') + 1));
            placeInZone(desired, made.topologyZone(), ZONE_KEYS.get(1));
        }
    }

    /**
     * Keeps the PV's node affinity and zone labels consistent with its new disk, so the scheduler puts its pods
     * where the disk can attach: every zone requirement names the disk's zone, one is added for a zonal disk
     * (under {@code addedKey}) if there was none, and all are removed for a disk any zone can attach. A
     * selector term left empty would match no node, so it goes too.
     */
    static void placeInZone(ObjectNode pv, String zone, String addedKey) {
        if (pv.path("metadata").path("labels") instanceof ObjectNode labels) {
            for (String key : ZONE_KEYS) {
                if (labels.has(key)) {
                    if (zone == null) {
                        labels.remove(key);
                    } else {
                        labels.put(key, zone);
                    }
                }
            }
        }
        ObjectNode spec = pv.with("spec");
        JsonNode terms = spec.path("nodeAffinity").path("required").path("nodeSelectorTerms");
        if (!(terms instanceof ArrayNode termList) || termList.isEmpty()) {
            if (zone != null) {
                ObjectNode term = spec.with("nodeAffinity").with("required").putArray("nodeSelectorTerms").addObject();
                requireZone(term.putArray("matchExpressions"), addedKey, zone);
            }
            return;
        }
        for (int i = termList.size() - 1; i >= 0; i--) {
            ObjectNode term = (ObjectNode) termList.get(i);
            ArrayNode expressions = term.withArray("matchExpressions");
            String key = addedKey;
            for (int j = expressions.size() - 1; j >= 0; j--) {
                String expressionKey = expressions.get(j).path("key").asText();
                if (ZONE_KEYS.contains(expressionKey)) {
                    key = expressionKey;
                    expressions.remove(j);
                }
            }
            if (zone != null) {
                requireZone(expressions, key, zone);
            } else if (expressions.isEmpty() && term.path("matchFields").isEmpty()) {
                termList.remove(i);
            }
        }
        if (termList.isEmpty()) {
            spec.remove("nodeAffinity");
        }
    }

    private static void requireZone(ArrayNode expressions, String key, String zone) {
        ObjectNode expression = expressions.addObject().put("key", key).put("operator", "In");
        expression.putArray("values").add(zone);
    }
}
