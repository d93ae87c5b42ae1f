package jobs.velero;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import jobs.config.KbackupProperties;
import jobs.filter.ClusterResources;
import jobs.filter.Selection;
import jobs.snapshot.SnapshotDetails;
import jobs.store.BlobStore;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.store.StoreConfiguration;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.springframework.stereotype.Component;

/**
 * Writes a restore point in Velero's layout, so that Velero's backup sync controller adopts it and
 * {@code velero restore create --from-backup} restores it: {@code backups/<name>/velero-backup.json} (status
 * Completed or PartiallyFailed, with the counts), {@code <name>.tar.gz} (format 1.1.0, each item under its
 * resource folder and again under {@code <version>-preferredversion/}), the resource list, and the volume files:
 * azure-disk snapshots in the Azure plugin's shape ({@code -volumesnapshots.json.gz}), CSI snapshots as the
 * VolumeSnapshots and contents Velero lists ({@code -csi-volumesnapshots.json.gz},
 * {@code -csi-volumesnapshotcontents.json.gz}), and every volume in {@code -volumeinfo.json.gz}. The tarball is written to a temporary file and streamed into place, velero-backup.json
 * last, so Velero never syncs a backup whose tarball is not there.
 */
@Component
public class VeleroExport {

    private static final ObjectMapper JSON = Json.mapper();
    static final String FORMAT_VERSION = "1.1.0";
    static final String LOCATION = "default";

    private final RestorePoints restorePoints;
    private final KbackupProperties properties;

    VeleroExport(RestorePoints restorePoints, KbackupProperties properties) {
        this.restorePoints = restorePoints;
        this.properties = properties;
    }

    /**
     * What was written.
     *
     * @param backup  the Velero backup's name
     * @param where   its folder
     * @param items   items in the tarball (each written twice)
     * @param volumes volume records, and how many of them Velero can restore from a snapshot
     */
    public record Exported(String backup, String where, long items, int volumes, int snapshots) {
    }

    /**
     * Exports restore point {@code name} as Velero backup {@code veleroName} into the storage location {@code target}
     * (a folder, or a prefix of kbackup's container); refuses an unfinished restore point and a name Velero has.
     */
    public Exported export(String name, VeleroLocation target, String veleroName) throws IOException {
        Manifest manifest = restorePoints.find(name).orElseThrow(() -> new InvalidInputException("export-velero: no restore point '"
                + name + "' in " + restorePoints.store().location()));
        if (manifest.phase() != Phase.Completed && manifest.phase() != Phase.PartiallyFailed) {
            throw new InvalidInputException("export-velero: restore point '" + name + "' is " + manifest.phase()
                    + "; only Completed and PartiallyFailed ones are whole");
        }
        BlobStore store = target.prefix() != null ? StoreConfiguration.sibling(properties.storage(), target.prefix())
                : StoreConfiguration.folder(Path.of(target.file()));
        String folder = VeleroFiles.BACKUPS + veleroName + "/";
        if (store.get(folder + VeleroFiles.BACKUP_OBJECT).isPresent()) {
            throw new InvalidInputException("export-velero: " + store.location() + " " + folder + " holds a Velero backup "
                    + "already; choose another --velero-name");
        }
        Path tarball = Files.createTempFile("kbackup-export-", ".tar.gz");
        try {
            Map<String, TreeSet<String>> resourceList = new TreeMap<>();
            long items = writeTarball(manifest, tarball, resourceList);
            store.putFile(folder + veleroName + ".tar.gz", tarball, Map.of());
            store.put(folder + veleroName + "-resource-list.json.gz", gzip(JSON.writeValueAsBytes(resourceList)), Map.of());
            store.put(folder + veleroName + "-volumesnapshots.json.gz", gzip(JSON.writeValueAsBytes(nativeSnapshots(manifest, veleroName))), Map.of());
            store.put(folder + veleroName + "-volumeinfo.json.gz", gzip(JSON.writeValueAsBytes(volumeInfo(manifest))), Map.of());
            store.put(folder + veleroName + "-csi-volumesnapshots.json.gz", gzip(JSON.writeValueAsBytes(csiSnapshots(manifest, veleroName))), Map.of());
            store.put(folder + veleroName + "-csi-volumesnapshotcontents.json.gz", gzip(JSON.writeValueAsBytes(csiContents(manifest))), Map.of());
            store.put(folder + veleroName + "-logs.gz", gzip(("time=\"" + manifest.completedAt() + "\" level=info msg=\"Exported by kbackup "
                    + "from restore point " + name + "\"\n").getBytes(StandardCharsets.UTF_8)), Map.of());
            // Last: Velero's sync controller looks for this file.
            store.put(folder + VeleroFiles.BACKUP_OBJECT, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    backupObject(manifest, veleroName, items)), Map.of());
            int snapshots = (int) manifest.volumes().stream().filter(v -> v.isCompleted() && isAzureDisk(v)).count();
            return new Exported(veleroName, store.location() + " " + folder, items, manifest.volumes().size(), snapshots);
        } finally {
            Files.deleteIfExists(tarball);
        }
    }

    private long writeTarball(Manifest manifest, Path tarball, Map<String, TreeSet<String>> resourceList) throws IOException {
        Map<String, Manifest.ResourceCount> types = new HashMap<>();
        manifest.resources().forEach(r -> types.put(r.group() + "/" + r.kind(), r));
        long[] items = {0};
        try (OutputStream file = Files.newOutputStream(tarball);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file, 64 * 1024))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, "metadata/version", FORMAT_VERSION.getBytes(StandardCharsets.UTF_8));
            restorePoints.forEachObject(manifest, object -> {
                String apiVersion = object.path("apiVersion").asText();
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                Manifest.ResourceCount type = types.get(group + "/" + object.path("kind").asText());
                if (type == null) {
                    throw new IllegalStateException("restore point " + manifest.name() + " holds a " + apiVersion + " "
                            + object.path("kind").asText() + " its manifest has no type for");
                }
                String namespace = object.path("metadata").path("namespace").asText(null);
                String itemName = object.path("metadata").path("name").asText();
                String scope = namespace == null ? "cluster/" : "namespaces/" + namespace + "/";
                String resource = type.qualifiedName();
                try {
                    byte[] json = JSON.writeValueAsBytes(object);
                    put(tar, "resources/" + resource + "/" + scope + itemName + ".json", json);
                    put(tar, "resources/" + resource + "/" + apiVersion.substring(slash + 1) + "-preferredversion/" + scope
                            + itemName + ".json", json);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                resourceList.computeIfAbsent(apiVersion + "/" + object.path("kind").asText(), k -> new TreeSet<>())
                        .add(namespace == null ? itemName : namespace + "/" + itemName);
                items[0]++;
            });
        }
        return items[0];
    }

    /** The Backup object, as Velero's backup controller leaves it when the backup is done. */
    private ObjectNode backupObject(Manifest manifest, String veleroName, long items) {
        ObjectNode backup = JSON.createObjectNode().put("apiVersion", "velero.io/v1").put("kind", "Backup");
        ObjectNode meta = backup.putObject("metadata").put("name", veleroName).put("namespace", "velero");
        meta.putObject("labels").put("velero.io/storage-location", LOCATION);
        ObjectNode annotations = meta.putObject("annotations").put("kbackup.io/restore-point", manifest.name());
        ObjectNode spec = backup.putObject("spec");
        Selection selection = manifest.selection();
        strings(spec.putArray("includedNamespaces"), selection.includeNamespaces());
        strings(spec.putArray("excludedNamespaces"), selection.excludeNamespaces());
        strings(spec.putArray("includedResources"), selection.includeResources());
        strings(spec.putArray("excludedResources"), selection.excludeResources());
        if (!selection.selector().isEmpty()) {
            ObjectNode matchLabels = JSON.createObjectNode();
            boolean equalities = true;
            for (String term : selection.selector().split("[,;]")) {
                String[] kv = term.trim().split("==?", 2);
                if (kv.length != 2 || kv[0].endsWith("!") || kv[0].contains(" ")) {
                    equalities = false;
                    break;
                }
                matchLabels.put(kv[0].trim(), kv[1].trim());
            }
            if (equalities) {
                spec.putObject("labelSelector").set("matchLabels", matchLabels);
            } else {
                // Velero's selector has no text form; the exported items are what the selector selected anyway.
                annotations.put("kbackup.io/selector", selection.selector());
            }
        }
        if (selection.includeClusterResources() != ClusterResources.AUTO) {
            spec.put("includeClusterResources", selection.includeClusterResources() == ClusterResources.TRUE);
        }
        spec.put("storageLocation", LOCATION).put("snapshotVolumes", !manifest.volumes().isEmpty())
                .put("ttl", goDuration(Duration.between(manifest.startedAt(), manifest.expiresAt())));
        long snapshots = manifest.volumes().stream().filter(this::isAzureDisk).count();
        long snapshotsDone = manifest.volumes().stream().filter(v -> isAzureDisk(v) && v.isCompleted()).count();
        long csi = manifest.volumes().stream().filter(v -> SnapshotDetails.CSI.equals(v.provider())).count();
        long csiDone = manifest.volumes().stream().filter(v -> SnapshotDetails.CSI.equals(v.provider()) && v.isCompleted()).count();
        ObjectNode status = backup.putObject("status").put("version", 1).put("formatVersion", FORMAT_VERSION)
                .put("phase", manifest.phase() == Phase.Completed ? "Completed" : "PartiallyFailed")
                .put("startTimestamp", manifest.startedAt().toString()).put("completionTimestamp", manifest.completedAt().toString())
                .put("expiration", manifest.expiresAt().toString())
                .put("volumeSnapshotsAttempted", snapshots).put("volumeSnapshotsCompleted", snapshotsDone)
                .put("csiVolumeSnapshotsAttempted", csi).put("csiVolumeSnapshotsCompleted", csiDone)
                .put("errors", manifest.errors().size()).put("warnings", manifest.warnings().size());
        status.putObject("progress").put("totalItems", items).put("itemsBackedUp", items);
        return backup;
    }

    /** {@code -volumesnapshots.json.gz}: the Azure plugin's snapshots, keyed as Velero's Go struct tags make them. */
    private ArrayNode nativeSnapshots(Manifest manifest, String veleroName) {
        ArrayNode snapshots = JSON.createArrayNode();
        for (VolumeRecord volume : manifest.volumes()) {
            if (!isAzureDisk(volume) || !volume.isCompleted()) {
                continue;
            }
            ObjectNode snapshot = snapshots.addObject();
            Map<String, String> d = volume.details();
            String disk = d.getOrDefault(SnapshotDetails.SOURCE_DISK, "");
            snapshot.putObject("spec").put("backupName", veleroName).put("backupUID", "").put("location", LOCATION)
                    .put("PersistentVolumeName", volume.persistentVolume())
                    .put("providerVolumeID", disk.substring(disk.lastIndexOf('/') + 1))
                    .put("volumeType", d.getOrDefault(SnapshotDetails.SKU, "")).put("volumeAZ", zone(d));
            snapshot.putObject("status").put("providerSnapshotID", volume.snapshotId()).put("phase", "Completed");
        }
        return snapshots;
    }

    /** {@code -volumeinfo.json.gz} (Velero 1.13 on): every volume and how it was backed up. */
    private ArrayNode volumeInfo(Manifest manifest) {
        ArrayNode info = JSON.createArrayNode();
        for (VolumeRecord volume : manifest.volumes()) {
            ObjectNode entry = info.addObject().put("pvcName", volume.claim()).put("pvcNamespace", volume.namespace())
                    .put("pvName", volume.persistentVolume()).put("snapshotDataMoved", false);
            Map<String, String> d = volume.details();
            if (isAzureDisk(volume) && volume.isCompleted()) {
                entry.put("backupMethod", "NativeSnapshot").put("skipped", false).put("result", "succeeded");
                entry.putObject("nativeSnapshotInfo").put("snapshotHandle", volume.snapshotId())
                        .put("volumeType", d.getOrDefault(SnapshotDetails.SKU, "")).put("volumeAZ", zone(d)).put("iops", "")
                        .put("Phase", "Completed");
            } else if (SnapshotDetails.CSI.equals(volume.provider()) && volume.isCompleted()) {
                entry.put("backupMethod", "CSISnapshot").put("skipped", false).put("result", "succeeded");
                entry.putObject("csiSnapshotInfo").put("snapshotHandle", volume.snapshotId())
                        .put("driver", volume.driver()).put("vscName", d.getOrDefault(SnapshotDetails.VOLUME_SNAPSHOT_CONTENT, ""));
            } else {
                entry.put("skipped", true).put("skippedReason", volume.message() == null ? volume.phase() : volume.message());
            }
        }
        return info;
    }

    /** {@code -csi-volumesnapshots.json.gz}: a VolumeSnapshot per CSI snapshot, bound to its content, ready. */
    private ArrayNode csiSnapshots(Manifest manifest, String veleroName) {
        ArrayNode snapshots = JSON.createArrayNode();
        for (VolumeRecord volume : csiVolumes(manifest)) {
            ObjectNode snapshot = snapshots.addObject().put("apiVersion", "snapshot.storage.k8s.io/v1").put("kind", "VolumeSnapshot");
            snapshot.putObject("metadata").put("name", snapshotName(volume)).put("namespace", volume.namespace())
                    .putObject("labels").put("velero.io/backup-name", veleroName);
            ObjectNode spec = snapshot.putObject("spec");
            spec.putObject("source").put("persistentVolumeClaimName", volume.claim());
            putIfPresent(spec, "volumeSnapshotClassName", volume.details().get(SnapshotDetails.VOLUME_SNAPSHOT_CLASS));
            ObjectNode status = snapshot.putObject("status").put("boundVolumeSnapshotContentName", contentName(volume)).put("readyToUse", true);
            putIfPresent(status, "restoreSize", volume.details().get(SnapshotDetails.CAPACITY));
        }
        return snapshots;
    }

    /** {@code -csi-volumesnapshotcontents.json.gz}: each CSI snapshot's content, retained, with its handle. */
    private ArrayNode csiContents(Manifest manifest) {
        ArrayNode contents = JSON.createArrayNode();
        for (VolumeRecord volume : csiVolumes(manifest)) {
            ObjectNode content = contents.addObject().put("apiVersion", "snapshot.storage.k8s.io/v1").put("kind", "VolumeSnapshotContent");
            content.putObject("metadata").put("name", contentName(volume));
            ObjectNode spec = content.putObject("spec").put("driver", volume.driver()).put("deletionPolicy", "Retain");
            putIfPresent(spec, "volumeSnapshotClassName", volume.details().get(SnapshotDetails.VOLUME_SNAPSHOT_CLASS));
            spec.putObject("source").put("snapshotHandle", volume.snapshotId());
            spec.putObject("volumeSnapshotRef").put("name", snapshotName(volume)).put("namespace", volume.namespace());
            content.putObject("status").put("snapshotHandle", volume.snapshotId()).put("readyToUse", true);
        }
        return contents;
    }

    private static List<VolumeRecord> csiVolumes(Manifest manifest) {
        return manifest.volumes().stream().filter(v -> SnapshotDetails.CSI.equals(v.provider()) && v.isCompleted()).toList();
    }

    private static String snapshotName(VolumeRecord volume) {
        String ref = volume.details().get(SnapshotDetails.VOLUME_SNAPSHOT);
        return ref != null && ref.contains("/") ? ref.substring(ref.indexOf('/') + 1) : "velero-" + volume.claim();
    }

    private static String contentName(VolumeRecord volume) {
        return volume.details().getOrDefault(SnapshotDetails.VOLUME_SNAPSHOT_CONTENT, "snapcontent-" + volume.persistentVolume());
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private boolean isAzureDisk(VolumeRecord volume) {
        return SnapshotDetails.AZURE_DISK.equals(volume.provider());
    }

    /** The volume's zone as the Azure plugin writes it: {@code westeurope-2}, or empty for a regional disk. */
    private static String zone(Map<String, String> details) {
        String region = details.get(SnapshotDetails.REGION);
        String zone = details.get(SnapshotDetails.ZONE);
        return region == null || zone == null ? "" : region + "-" + zone;
    }

    private static void strings(ArrayNode array, List<String> values) {
        if (values.isEmpty()) {
            array.add("*");
        } else {
            values.forEach(array::add);
        }
    }

    /** Go's {@code time.Duration} text for whole seconds, as Velero's ttl is written: {@code 720h0m0s}. */
    static String goDuration(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        return seconds / 3600 + "h" + seconds % 3600 / 60 + "m" + seconds % 60 + "s";
    }

    private static void put(TarArchiveOutputStream tar, String path, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(content);
        }
        return bytes.toByteArray();
    }
}
