package jobs.velero;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.store.Manifest.VolumeRecord;
import jobs.snapshot.SnapshotDetails;

/**
 * Velero's records of a backup's volumes, as kbackup volume records a restore can use.
 *
 * <p>From Velero 1.13, {@code <name>-volumeinfo.json.gz} lists every volume with how it was backed up; before it,
 * native snapshots are in {@code <name>-volumesnapshots.json.gz} ({@code pkg/volume/snapshot.go}: note that its PV
 * name's JSON key is {@code PersistentVolumeName}, a tag without quotes) and CSI snapshots in the
 * {@code -csi-volumesnapshots} and {@code -csi-volumesnapshotcontents} files.
 * <ul>
 *   <li>A native snapshot by the Azure plugin (an ARM snapshot id) becomes an azure-disk record; its region and zone
 *       come from the volume's zone ({@code westeurope-1}), its SKU from the volume type.</li>
 *   <li>A CSI snapshot left in place becomes a csi record: its handle, driver, content and class.</li>
 *   <li>File-system backups (Kopia, Restic) and snapshots moved by the data mover hold the data in Velero's own
 *       repository, which kbackup does not read: Skipped, saying so. So is a volume Velero skipped, a native snapshot
 *       of another cloud, and a PersistentVolume with no snapshot at all.</li>
 * </ul>
 */
final class VeleroVolumes {

    private static final Pattern ARM_SNAPSHOT = Pattern.compile(
            "(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Compute/snapshots/([^/]+)$");
    private static final Pattern AZURE_ZONE = Pattern.compile("^([a-z0-9]+)-([0-9]+)$");
    static final String NOT_RESTORABLE = "the data is in Velero's own repository, which kbackup does not read; "
            + "restore this volume with Velero";

    private final Map<String, ItemsRead.BoundVolume> volumes;
    private final Map<String, VolumeRecord> records = new LinkedHashMap<>();

    private VeleroVolumes(Map<String, ItemsRead.BoundVolume> volumes) {
        this.volumes = volumes;
    }

    /** The volume records of the backup {@code files} holds, whose tarball holds {@code volumes}. */
    static List<VolumeRecord> of(Map<String, ItemsRead.BoundVolume> volumes, VeleroFiles files) {
        return of(volumes, files.gzipJson("-volumeinfo.json.gz").orElse(null), files.gzipJson("-volumesnapshots.json.gz").orElse(null),
                files.gzipJson("-csi-volumesnapshots.json.gz").orElse(null),
                files.gzipJson("-csi-volumesnapshotcontents.json.gz").orElse(null));
    }

    /**
     * The volume records of a backup.
     *
     * @param volumes   the PersistentVolumes the tarball holds, by name
     * @param info      {@code -volumeinfo.json.gz}, null when absent
     * @param nativeSnapshots   {@code -volumesnapshots.json.gz}, null when absent
     * @param csi       {@code -csi-volumesnapshots.json.gz}, null when absent
     * @param contents  {@code -csi-volumesnapshotcontents.json.gz}, null when absent
     */
    static List<VolumeRecord> of(Map<String, ItemsRead.BoundVolume> volumes, JsonNode info, JsonNode nativeSnapshots, JsonNode csi,
                                 JsonNode contents) {
        VeleroVolumes result = new VeleroVolumes(volumes);
        if (info != null && info.isArray()) {
            info.forEach(result::fromInfo);
        } else {
            if (nativeSnapshots != null) {
                nativeSnapshots.forEach(result::fromNativeSnapshot);
            }
            if (csi != null) {
                csi.forEach(snapshot -> result.fromVolumeSnapshot(snapshot, contents));
            }
        }
        volumes.forEach((pv, bound) -> result.records.computeIfAbsent(pv, p -> result.record(p, null, null, null,
                VolumeRecord.SKIPPED, "the Velero backup holds no snapshot of it", null)));
        return List.copyOf(result.records.values());
    }

    private void fromInfo(JsonNode volume) {
        String pv = volume.path("pvName").asText(null);
        if (pv == null) {
            return;
        }
        String method = volume.path("backupMethod").asText("");
        if (volume.path("skipped").asBoolean(false)) {
            add(record(pv, volume, null, null, VolumeRecord.SKIPPED, "Velero skipped it: " + volume.path("skippedReason").asText(""), null));
        } else if (method.equals("NativeSnapshot")) {
            JsonNode snapshot = volume.path("nativeSnapshotInfo");
            boolean ok = !"failed".equals(volume.path("result").asText()) && snapshot.path("Phase").asText("Completed").equals("Completed");
            add(nativeRecord(pv, volume, snapshot.path("snapshotHandle").asText(""), snapshot.path("volumeType").asText(""),
                    snapshot.path("volumeAZ").asText(""), ok));
        } else if (method.equals("CSISnapshot") && volume.path("snapshotDataMoved").asBoolean(false)) {
            add(record(pv, volume, null, null, VolumeRecord.SKIPPED, "moved by Velero's data mover ("
                    + volume.path("snapshotDataMovementInfo").path("uploaderType").asText("kopia") + "): " + NOT_RESTORABLE, null));
        } else if (method.equals("CSISnapshot")) {
            JsonNode snapshot = volume.path("csiSnapshotInfo");
            Map<String, String> details = new LinkedHashMap<>();
            put(details, SnapshotDetails.VOLUME_SNAPSHOT_CONTENT, snapshot.path("vscName").asText(null));
            put(details, SnapshotDetails.DRIVER, snapshot.path("driver").asText(null));
            if (snapshot.path("size").asLong(0) > 0) {
                details.put(SnapshotDetails.CAPACITY, Long.toString(snapshot.path("size").asLong()));
            }
            boolean ok = !"failed".equals(volume.path("result").asText()) && !snapshot.path("snapshotHandle").asText("").isEmpty();
            add(record(pv, volume, SnapshotDetails.CSI, ok ? snapshot.path("snapshotHandle").asText() : null,
                    ok ? VolumeRecord.COMPLETED : VolumeRecord.FAILED, ok ? null : "Velero's CSI snapshot failed", details));
        } else if (method.equals("PodVolumeBackup")) {
            add(record(pv, volume, null, null, VolumeRecord.SKIPPED, "file-system backup ("
                    + volume.path("pvbInfo").path("uploaderType").asText("kopia") + ") by Velero's node agent: " + NOT_RESTORABLE, null));
        } else {
            add(record(pv, volume, null, null, VolumeRecord.SKIPPED, "backed up by Velero as '" + method + "', which kbackup "
                    + "does not know", null));
        }
    }

    private void fromNativeSnapshot(JsonNode snapshot) {
        JsonNode spec = snapshot.path("spec");
        String pv = spec.has("PersistentVolumeName") ? spec.path("PersistentVolumeName").asText() : spec.path("persistentVolumeName").asText(null);
        if (pv == null) {
            return;
        }
        String phase = snapshot.path("status").path("phase").asText("");
        add(nativeRecord(pv, null, snapshot.path("status").path("providerSnapshotID").asText(""), spec.path("volumeType").asText(""),
                spec.path("volumeAZ").asText(""), phase.equals("Completed")));
    }

    private void fromVolumeSnapshot(JsonNode snapshot, JsonNode contents) {
        String namespace = snapshot.path("metadata").path("namespace").asText();
        String claim = snapshot.path("spec").path("source").path("persistentVolumeClaimName").asText(null);
        String contentName = snapshot.path("status").path("boundVolumeSnapshotContentName").asText(null);
        String pv = volumes.entrySet().stream().filter(e -> namespace.equals(e.getValue().namespace()) && e.getValue().claim() != null
                && e.getValue().claim().equals(claim)).map(Map.Entry::getKey).findFirst().orElse(null);
        if (pv == null) {
            return;
        }
        JsonNode content = null;
        if (contents != null) {
            for (JsonNode c : contents) {
                if (c.path("metadata").path("name").asText().equals(contentName)) {
                    content = c;
                }
            }
        }
        String handle = content == null ? null : content.path("status").path("snapshotHandle").asText(null);
        Map<String, String> details = new LinkedHashMap<>();
        put(details, SnapshotDetails.VOLUME_SNAPSHOT_CONTENT, contentName);
        put(details, SnapshotDetails.VOLUME_SNAPSHOT, namespace + "/" + snapshot.path("metadata").path("name").asText());
        if (content != null) {
            put(details, SnapshotDetails.DRIVER, content.path("spec").path("driver").asText(null));
            put(details, SnapshotDetails.VOLUME_SNAPSHOT_CLASS, content.path("spec").path("volumeSnapshotClassName").asText(null));
        }
        put(details, SnapshotDetails.CAPACITY, snapshot.path("status").path("restoreSize").asText(null));
        add(record(pv, null, SnapshotDetails.CSI, handle, handle == null ? VolumeRecord.FAILED : VolumeRecord.COMPLETED,
                handle == null ? "no snapshot handle in the backup's VolumeSnapshotContent " + contentName : null, details));
    }

    private VolumeRecord nativeRecord(String pv, JsonNode info, String snapshotId, String volumeType, String volumeAz, boolean ok) {
        Matcher arm = ARM_SNAPSHOT.matcher(snapshotId);
        if (!arm.matches()) {
            return record(pv, info, null, snapshotId.isEmpty() ? null : snapshotId, ok ? VolumeRecord.SKIPPED : VolumeRecord.FAILED,
                    ok ? "a native snapshot of another cloud than Azure ('" + snapshotId + "')" : "Velero's native snapshot failed", null);
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put(SnapshotDetails.SNAPSHOT_NAME, arm.group(1));
        put(details, SnapshotDetails.SKU, volumeType.isEmpty() ? null : volumeType);
        Matcher zone = AZURE_ZONE.matcher(volumeAz);
        if (zone.matches()) {
            details.put(SnapshotDetails.REGION, zone.group(1));
            details.put(SnapshotDetails.ZONE, zone.group(2));
        }
        return record(pv, info, SnapshotDetails.AZURE_DISK, snapshotId, ok ? VolumeRecord.COMPLETED : VolumeRecord.FAILED,
                ok ? null : "Velero's native snapshot failed", details);
    }

    /** A record for volume {@code pv}, its claim from Velero's volume info where given, else from the PV itself. */
    private VolumeRecord record(String pv, JsonNode info, String provider, String snapshotId, String phase, String message,
                                Map<String, String> details) {
        ItemsRead.BoundVolume bound = volumes.get(pv);
        String namespace = info != null && info.has("pvcNamespace") ? info.path("pvcNamespace").asText()
                : bound == null ? null : bound.namespace();
        String claim = info != null && info.has("pvcName") ? info.path("pvcName").asText() : bound == null ? null : bound.claim();
        String driver = details != null && details.containsKey(SnapshotDetails.DRIVER) ? details.get(SnapshotDetails.DRIVER)
                : bound == null ? null : bound.driver();
        return new VolumeRecord(pv, namespace == null ? "" : namespace, claim == null ? "" : claim, driver,
                provider == null ? "none" : provider, snapshotId, phase, message, details);
    }

    private void add(VolumeRecord record) {
        records.put(record.persistentVolume(), record);
    }

    private static void put(Map<String, String> details, String key, String value) {
        if (value != null && !value.isEmpty()) {
            details.put(key, value);
        }
    }
}
