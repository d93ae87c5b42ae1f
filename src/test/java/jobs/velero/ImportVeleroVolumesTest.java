package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import jobs.testing.ApiServer;
import jobs.testing.ArmCompute;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import jobs.testing.VeleroFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Velero's volume records imported, in both of Velero's shapes (the volume info file of 1.13 on, the native snapshot
 * file before it): an Azure plugin snapshot restores through the ARM double into a new disk in the recorded zone,
 * and a file-system backup is listed Skipped, saying why.
 */
class ImportVeleroVolumesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DISK = "/subscriptions/sub/resourceGroups/mc_rg/providers/Microsoft.Compute/disks/pvc-data-disk";

    @TempDir
    Path dir;
    ApiServer target;
    ArmCompute arm;
    String snapshotId;

    @BeforeEach
    void start() {
        target = ApiServer.start();
        arm = ArmCompute.start();
        // Taken by Velero's Azure plugin, in its own resource group, as a full snapshot of the disk.
        snapshotId = arm.addSnapshot("sub", "velero-snapshots", "velero-pv-data-1c2d3", DISK, "westeurope", 16);
    }

    @AfterEach
    void stop() {
        target.close();
        arm.close();
    }

    private static ObjectNode pvc(String name, String volume) {
        ObjectNode pvc = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
        pvc.putObject("metadata").put("name", name).put("namespace", "shop").put("uid", "u-" + name).put("resourceVersion", "9");
        ObjectNode spec = pvc.putObject("spec").put("storageClassName", "managed-csi").put("volumeName", volume);
        spec.putArray("accessModes").add("ReadWriteOnce");
        spec.putObject("resources").putObject("requests").put("storage", "16Gi");
        pvc.putObject("status").put("phase", "Bound");
        return pvc;
    }

    private static ObjectNode pv(String name, String claim, String handle) {
        ObjectNode pv = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolume");
        pv.putObject("metadata").put("name", name).put("uid", "u-" + name).put("resourceVersion", "8");
        ObjectNode spec = pv.putObject("spec").put("storageClassName", "managed-csi").put("persistentVolumeReclaimPolicy", "Delete");
        spec.putArray("accessModes").add("ReadWriteOnce");
        spec.putObject("capacity").put("storage", "16Gi");
        spec.putObject("csi").put("driver", "disk.csi.azure.com").put("volumeHandle", handle);
        spec.putObject("claimRef").put("namespace", "shop").put("name", claim).put("uid", "u-" + claim);
        pv.putObject("status").put("phase", "Bound");
        return pv;
    }

    private VeleroFixture backup(boolean volumeInfo) {
        ObjectNode ns = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ns.putObject("metadata").put("name", "shop");
        VeleroFixture fixture = VeleroFixture.backup("with-disks").item(ns)
                .item(pvc("data", "pv-data")).item(pv("pv-data", "data", DISK))
                .item(pvc("files", "pv-files")).item(pv("pv-files", "files", "/subscriptions/sub/x/disks/files"));
        if (volumeInfo) {
            ArrayNode info = JSON.createArrayNode();
            info.add(VeleroFixture.nativeVolumeInfo("pv-data", "shop", "data", snapshotId, "Premium_LRS", "westeurope-2"));
            ObjectNode files = info.addObject().put("pvcName", "files").put("pvcNamespace", "shop").put("pvName", "pv-files")
                    .put("backupMethod", "PodVolumeBackup").put("snapshotDataMoved", false).put("skipped", false);
            files.putObject("pvbInfo").put("uploaderType", "kopia").put("volumeName", "files").put("podName", "web-0");
            fixture.sideFile("-volumeinfo.json.gz", info);
        } else {
            ArrayNode snapshots = JSON.createArrayNode();
            // Without a zone: the region is then the snapshot's own, asked of ARM at restore.
            snapshots.add(VeleroFixture.nativeSnapshot("with-disks", "pv-data", "pvc-data-disk", snapshotId, "Premium_LRS", ""));
            fixture.sideFile("-volumesnapshots.json.gz", snapshots);
        }
        return fixture;
    }

    @ParameterizedTest(name = "volume info file: {0}")
    @ValueSource(booleans = {true, false})
    void anAzurePluginSnapshotRestoresIntoANewDiskInItsZoneAndAFileSystemBackupIsSkipped(boolean volumeInfo) throws Exception {
        backup(volumeInfo).writeTo(Stored.folder(dir.resolve("bucket")));
        Kbackup kbackup = Kbackup.filesystem(dir, target).with(
                "--kbackup.snapshots.provider=azure-disk", "--kbackup.snapshots.azure.subscription-id=sub",
                "--kbackup.snapshots.azure.resource-group=restored",
                "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                "--kbackup.snapshots.azure.credential=none", "--kbackup.snapshots.poll-interval=20ms");

        Kbackup.Result imported = kbackup.run("import-velero", "--from-file", dir.resolve("bucket").toString(), "--name", "with-disks");

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        Manifest manifest = Stored.manifest(Stored.filesystem(dir), "with-disks");
        Map<String, VolumeRecord> volumes = manifest.volumes().stream()
                .collect(Collectors.toMap(VolumeRecord::persistentVolume, Function.identity()));
        VolumeRecord data = volumes.get("pv-data");
        assertThat(data.provider()).isEqualTo("azure-disk");
        assertThat(data.phase()).isEqualTo(VolumeRecord.COMPLETED);
        assertThat(data.snapshotId()).isEqualTo(snapshotId);
        assertThat(data.namespace() + "/" + data.claim()).isEqualTo("shop/data");
        assertThat(data.details()).containsEntry("sku", "Premium_LRS");
        if (volumeInfo) {
            assertThat(data.details()).containsEntry("zone", "2").containsEntry("region", "westeurope");
        } else {
            assertThat(data.details()).doesNotContainKeys("zone", "region");
        }
        VolumeRecord files = volumes.get("pv-files");
        assertThat(files.phase()).isEqualTo(VolumeRecord.SKIPPED);
        assertThat(files.message()).contains(volumeInfo ? "file-system backup (kopia)" : "holds no snapshot");

        Kbackup.Result restored = kbackup.run("restore", "--from", "with-disks", "--name", "dr", "--include-namespaces", "shop");

        assertThat(restored.exitCode()).as(restored.toString()).isIn(0, 3);
        JsonNode disk = arm.disks().stream().filter(d -> d.path("properties").path("creationData").path("sourceResourceId")
                .asText().equals(snapshotId)).findFirst().orElseThrow(() -> new AssertionError("no disk from " + snapshotId
                + ": " + restored));
        assertThat(disk.path("location").asText()).isEqualTo("westeurope");
        assertThat(disk.path("zones").path(0).asText(null)).isEqualTo(volumeInfo ? "2" : null);
        assertThat(disk.path("sku").path("name").asText()).isEqualTo("Premium_LRS");
        PersistentVolume pv = target.client().persistentVolumes().withName("pv-data").get();
        assertThat(pv.getSpec().getCsi().getVolumeHandle()).isEqualTo(disk.path("id").asText());
    }
}
