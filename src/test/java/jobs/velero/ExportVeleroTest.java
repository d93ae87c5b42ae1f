package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ArmCompute;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kbackup restore point exported in Velero's layout: the files Velero's sync controller reads, in their shapes,
 * and imported back, the same objects and the same Azure disk snapshots.
 */
class ExportVeleroTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    ApiServer source;
    ArmCompute arm;
    Kbackup kbackup;

    @BeforeEach
    void start() {
        source = ApiServer.start();
        ClusterFixture.populate(source);
        arm = ArmCompute.start();
        arm.addDisk("sub", "rg", "pv-data", ArmCompute.DiskSpec.regional("westeurope").inZone("3").with("Premium_LRS", 16, Map.of(), null, "AllowAll"));
        kbackup = Kbackup.filesystem(dir, source).with(
                "--kbackup.snapshots.provider=azure-disk", "--kbackup.snapshots.azure.subscription-id=sub",
                "--kbackup.snapshots.azure.resource-group=snapshots",
                "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                "--kbackup.snapshots.azure.credential=none", "--kbackup.snapshots.poll-interval=20ms");
    }

    @AfterEach
    void stop() {
        source.close();
        arm.close();
    }

    @Test
    void exportedInVelerosLayoutAndImportedBackItIsTheSameRestorePoint() throws Exception {
        assertThat(kbackup.run("backup", "--name", "shop", "--include-namespaces", "shop", "--selector", "app=shop").exitCode()).isZero();
        Path location = dir.resolve("velero-bucket");

        Kbackup.Result exported = kbackup.run("export-velero", "shop", "--to-file", location.toString(), "--velero-name", "shop-export");

        assertThat(exported.exitCode()).as(exported.toString()).isZero();
        assertThat(exported.out()).contains("velero restore create --from-backup shop-export");
        Path folder = location.resolve("backups/shop-export");
        assertThat(folder.resolve("velero-backup.json")).exists();
        JsonNode backup = JSON.readTree(folder.resolve("velero-backup.json").toFile());
        RestorePoints stored = Stored.filesystem(dir);
        Manifest original = Stored.manifest(stored, "shop");
        assertThat(backup.path("kind").asText()).isEqualTo("Backup");
        assertThat(backup.path("apiVersion").asText()).isEqualTo("velero.io/v1");
        assertThat(backup.path("spec").path("includedNamespaces")).containsExactly(JSON.getNodeFactory().textNode("shop"));
        assertThat(backup.path("spec").path("labelSelector").path("matchLabels").path("app").asText()).isEqualTo("shop");
        assertThat(backup.path("spec").path("storageLocation").asText()).isEqualTo("default");
        assertThat(backup.path("status").path("phase").asText()).isEqualTo("Completed");
        assertThat(backup.path("status").path("formatVersion").asText()).isEqualTo("1.1.0");
        assertThat(backup.path("status").path("progress").path("itemsBackedUp").asLong()).isEqualTo(original.itemCount());
        assertThat(backup.path("status").path("volumeSnapshotsCompleted").asLong()).isEqualTo(1);
        assertThat(backup.path("status").path("startTimestamp").asText()).isEqualTo(original.startedAt().toString());
        JsonNode snapshots = gzipJson(folder.resolve("shop-export-volumesnapshots.json.gz"));
        VolumeRecord data = original.volumes().stream().filter(v -> v.persistentVolume().equals("pv-data")).findFirst().orElseThrow();
        assertThat(snapshots).hasSize(1);
        assertThat(snapshots.get(0).path("spec").path("PersistentVolumeName").asText()).isEqualTo("pv-data");
        assertThat(snapshots.get(0).path("spec").path("volumeAZ").asText()).isEqualTo("westeurope-3");
        assertThat(snapshots.get(0).path("status").path("providerSnapshotID").asText()).isEqualTo(data.snapshotId());
        // Both copies of each item, as Velero writes them.
        VeleroArchive.Summary summary;
        try (InputStream in = Files.newInputStream(folder.resolve("shop-export.tar.gz"))) {
            summary = VeleroArchive.read(in, "export", item -> { });
        }
        assertThat(summary).isEqualTo(new VeleroArchive.Summary("1.1.0", original.itemCount(), original.itemCount(), 0));

        Kbackup.Result imported = kbackup.run("import-velero", "--from-file", location.toString(), "--name", "shop-export",
                "--restore-point", "shop-again");

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        Map<String, JsonNode> before = Stored.objects(stored, "shop").stream().collect(Collectors.toMap(Stored::key, Function.identity()));
        Map<String, JsonNode> after = Stored.objects(stored, "shop-again").stream().collect(Collectors.toMap(Stored::key, Function.identity()));
        assertThat(after).isEqualTo(before);
        Manifest again = Stored.manifest(stored, "shop-again");
        assertThat(again.startedAt()).isEqualTo(original.startedAt());
        assertThat(again.expiresAt()).isEqualTo(original.expiresAt());
        assertThat(again.selection().includeNamespaces()).isEqualTo(original.selection().includeNamespaces());
        assertThat(again.selection().selector()).isEqualTo("app=shop");
        assertThat(again.storage().newBytes()).as("byte for byte the same objects: its packs were stored already").isZero();
        VolumeRecord back = again.volumes().stream().filter(v -> v.persistentVolume().equals("pv-data")).findFirst().orElseThrow();
        assertThat(List.of(back.provider(), back.snapshotId(), back.namespace() + "/" + back.claim(), back.phase()))
                .containsExactly("azure-disk", data.snapshotId(), "shop/data", "Completed");
        assertThat(back.details()).containsEntry("zone", "3").containsEntry("region", "westeurope").containsEntry("sku", "Premium_LRS");

        Kbackup.Result twice = kbackup.run("export-velero", "shop", "--to-file", location.toString(), "--velero-name", "shop-export");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("holds a Velero backup already");
    }

    @Test
    void csiSnapshotsAreExportedAsVeleroListsThemAndReadBackWithoutTheVolumeInfo() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode pv = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolume");
        pv.putObject("metadata").put("name", "pv-a");
        pv.putObject("spec").putObject("csi").put("driver", "disk.csi.azure.com").put("volumeHandle", "h");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pv.path("spec")).putObject("claimRef").put("namespace", "shop").put("name", "data");
        com.fasterxml.jackson.databind.node.ArrayNode info = JSON.createArrayNode();
        info.addObject().put("pvName", "pv-a").put("pvcName", "data").put("pvcNamespace", "shop").put("backupMethod", "CSISnapshot")
                .put("result", "succeeded").putObject("csiSnapshotInfo").put("snapshotHandle", "handle-1")
                .put("driver", "disk.csi.azure.com").put("vscName", "snapcontent-1");
        jobs.testing.VeleroFixture.backup("csi").item(pv).sideFile("-volumeinfo.json.gz", info).writeTo(Stored.folder(dir.resolve("in")));
        assertThat(kbackup.run("import-velero", "--from-file", dir.resolve("in").toString(), "--name", "csi").exitCode()).isZero();

        Kbackup.Result exported = kbackup.run("export-velero", "csi", "--to-file", dir.resolve("out").toString());
        assertThat(exported.exitCode()).as(exported.toString()).isZero();
        Path folder = dir.resolve("out/backups/csi");
        JsonNode snapshots = gzipJson(folder.resolve("csi-csi-volumesnapshots.json.gz"));
        JsonNode contents = gzipJson(folder.resolve("csi-csi-volumesnapshotcontents.json.gz"));
        assertThat(snapshots.get(0).path("spec").path("source").path("persistentVolumeClaimName").asText()).isEqualTo("data");
        assertThat(snapshots.get(0).path("status").path("boundVolumeSnapshotContentName").asText()).isEqualTo("snapcontent-1");
        assertThat(contents.get(0).path("status").path("snapshotHandle").asText()).isEqualTo("handle-1");
        // As Velero before 1.13 has it: the CSI files alone.
        Files.delete(folder.resolve("csi-volumeinfo.json.gz"));

        Kbackup.Result imported = kbackup.run("import-velero", "--from-file", dir.resolve("out").toString(), "--name", "csi",
                "--restore-point", "csi-again");

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        VolumeRecord back = Stored.manifest(Stored.filesystem(dir), "csi-again").volumes().get(0);
        assertThat(List.of(back.provider(), back.snapshotId(), back.namespace() + "/" + back.claim(), back.driver(), back.phase()))
                .containsExactly("csi", "handle-1", "shop/data", "disk.csi.azure.com", "Completed");
        assertThat(back.details()).containsEntry("volumeSnapshotContent", "snapcontent-1");
    }

    private static JsonNode gzipJson(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            return JSON.readTree(in);
        }
    }
}
