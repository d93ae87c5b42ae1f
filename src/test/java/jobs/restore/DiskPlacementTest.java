package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jobs.store.Manifest.VolumeRecord;
import jobs.testing.ApiServer;
import jobs.testing.ArmCompute;
import jobs.testing.ArmCompute.DiskSpec;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk restored from a snapshot attaches where the workload runs and is protected as the original was: it gets
 * the source disk's SKU, size, zone, tags, encryption set and network access policy, or the zone and SKU a restore
 * asks for, and its PV's node affinity names the zone the disk is in. The ARM double refuses to attach a disk in
 * another zone, as Azure does.
 */
class DiskPlacementTest {

    private static final String ENCRYPTION_SET =
            "/subscriptions/sub/resourceGroups/keys/providers/Microsoft.Compute/diskEncryptionSets/cmk";

    @RegisterExtension
    final FixtureCluster source = new FixtureCluster();
    @TempDir
    Path dir;
    ApiServer target;
    ArmCompute arm;
    Kbackup intoTarget;

    @BeforeEach
    void backUpAZonalPremiumDisk() throws Exception {
        arm = ArmCompute.start();
        arm.addDisk("sub", "rg", "pv-data", DiskSpec.regional("westeurope").inZone("1")
                .with("Premium_LRS", 64, Map.of("team", "shop"), ENCRYPTION_SET, "DenyAll"));
        arm.addDisk("sub", "rg", "pv-invoices", "westeurope");
        // As the Azure Disk CSI driver provisions a PV in a zonal node pool.
        source.api().client().persistentVolumes().withName("pv-data").edit(pv -> new PersistentVolumeBuilder(pv).editSpec()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("topology.disk.csi.azure.com/zone").withOperator("In").withValues("westeurope-1").endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
        Kbackup fromSource = Kbackup.filesystem(dir, source.api()).with(
                "--kbackup.snapshots.provider=azure-disk", "--kbackup.snapshots.azure.subscription-id=sub",
                "--kbackup.snapshots.azure.resource-group=snapshots",
                "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                "--kbackup.snapshots.azure.credential=none", "--kbackup.snapshots.poll-interval=20ms");
        assertThat(fromSource.run("backup", "--name", "zonal", "--include-namespaces", "shop,billing").exitCode()).isZero();
        target = ApiServer.start();
        intoTarget = fromSource.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(Files.createDirectories(dir.resolve("target"))));
    }

    @AfterEach
    void stop() {
        target.close();
        arm.close();
    }

    @Test
    void theBackupRecordsWhatTheSourceDiskWas() {
        VolumeRecord data = Stored.manifest(Stored.filesystem(dir), "zonal").volumes().stream()
                .filter(v -> v.persistentVolume().equals("pv-data")).findFirst().orElseThrow();

        assertThat(data.details()).containsEntry("sku", "Premium_LRS").containsEntry("zone", "1").containsEntry("sizeGB", "64")
                .containsEntry("diskEncryptionSet", ENCRYPTION_SET).containsEntry("networkAccessPolicy", "DenyAll")
                .containsEntry("diskTags", "{\"team\":\"shop\"}").containsEntry("region", "westeurope");
    }

    @Test
    void theRestoredDiskIsTheSourceDiskAgainAndAttachesInItsZone() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "zonal", "--name", "dr");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode disk = disk("kbackup-dr-pv-data");
        assertThat(disk.path("sku").path("name").asText()).isEqualTo("Premium_LRS");
        assertThat(disk.path("zones")).extracting(JsonNode::asText).containsExactly("1");
        assertThat(disk.path("properties").path("diskSizeGB").asInt()).isEqualTo(64);
        assertThat(disk.path("properties").path("encryption").path("diskEncryptionSetId").asText()).isEqualTo(ENCRYPTION_SET);
        assertThat(disk.path("properties").path("encryption").path("type").asText()).isEqualTo("EncryptionAtRestWithCustomerKey");
        assertThat(disk.path("properties").path("networkAccessPolicy").asText()).isEqualTo("DenyAll");
        assertThat(disk.path("tags").path("team").asText()).isEqualTo("shop");
        assertThat(disk.path("tags").path("kbackup-restore").asText()).isEqualTo("dr");
        assertThat(zoneOf(pv("pv-data"))).containsExactly("westeurope-1");
        assertThat(arm.attach(pv("pv-data").getSpec().getCsi().getVolumeHandle(), "1")).isEmpty();
    }

    @Test
    void aDryRunSaysWhereEachDiskWouldGo() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "zonal", "--name", "preview", "--dry-run", "--zone-mapping", "1=2");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("would create a disk (Premium_LRS, zone 2) from snapshot")
                .contains("would create a disk (Standard_LRS, no zone) from snapshot");
        assertThat(arm.disks()).hasSize(2);
    }

    @Test
    void aZoneMappingMovesTheDiskAndThePvTogether() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "zonal", "--name", "moved", "--zone-mapping", "1=2,3=1");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(disk("kbackup-moved-pv-data").path("zones")).extracting(JsonNode::asText).containsExactly("2");
        assertThat(zoneOf(pv("pv-data"))).containsExactly("westeurope-2");
        String handle = pv("pv-data").getSpec().getCsi().getVolumeHandle();
        assertThat(arm.attach(handle, "2")).isEmpty();
        assertThat(arm.attach(handle, "1")).get().asString().contains("cannot be attached to a VM in zone 1");
    }

    @Test
    void aZoneRedundantSkuAttachesInEveryZoneSoThePvNamesNone() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "zonal", "--name", "zrs", "--disk-sku", "Premium_ZRS");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode disk = disk("kbackup-zrs-pv-data");
        assertThat(disk.path("sku").path("name").asText()).isEqualTo("Premium_ZRS");
        assertThat(disk.has("zones")).isFalse();
        assertThat(pv("pv-data").getSpec().getNodeAffinity()).isNull();
        assertThat(arm.attach(disk.path("id").asText(), "3")).isEmpty();
        assertThat(disk("kbackup-zrs-pv-invoices").path("sku").path("name").asText()).as("every disk").isEqualTo("Premium_ZRS");
    }

    @Test
    void aRegionalDiskStaysRegional() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "zonal", "--name", "regional");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode disk = disk("kbackup-regional-pv-invoices");
        assertThat(disk.path("sku").path("name").asText()).isEqualTo("Standard_LRS");
        assertThat(disk.has("zones")).isFalse();
        assertThat(pv("pv-invoices").getSpec().getNodeAffinity()).isNull();
    }

    @Test
    void aRelaunchWithAnotherPlacementIsNamedAsADifference() {
        RestoreParameters started = new RestoreParameters("dr", "zonal", jobs.filter.Selection.everything(), Map.of(),
                ExistingResourcePolicy.SKIP, true, null, false);
        RestoreParameters moved = new RestoreParameters("dr", "zonal", jobs.filter.Selection.everything(), Map.of(),
                ExistingResourcePolicy.SKIP, true, new jobs.snapshot.VolumePlacement("Premium_ZRS", Map.of("1", "3")), false);

        assertThat(RestoreParameters.differences(started.toJobParameters(), moved.toJobParameters()))
                .containsExactly("--disk-sku: none, now Premium_ZRS", "--zone-mapping: none, now {\"1\":\"3\"}");
        assertThat(RestoreParameters.of(moved.toJobParameters()).placement()).isEqualTo(moved.placement());
    }

    private JsonNode disk(String name) {
        return arm.disks().stream().filter(d -> d.path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private PersistentVolume pv(String name) {
        return target.client().persistentVolumes().withName(name).get();
    }

    private static List<String> zoneOf(PersistentVolume pv) {
        return pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().stream()
                .flatMap(t -> t.getMatchExpressions().stream())
                .filter(e -> e.getKey().equals("topology.disk.csi.azure.com/zone"))
                .map(NodeSelectorRequirement::getValues).flatMap(List::stream).toList();
    }
}
