package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.ArmCompute;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes come back from their Azure disk snapshots: a new disk per volume, and a PV pointing at it for the claim. */
class VolumeRestoreTest {

    @TempDir
    Path dir;
    ApiServer source;
    ApiServer target;
    ArmCompute arm;
    Kbackup fromSource;
    Kbackup intoTarget;

    @BeforeEach
    void start() throws Exception {
        source = ApiServer.start();
        ClusterFixture.populate(source);
        target = ApiServer.start();
        arm = ArmCompute.start();
        arm.addDisk("sub", "rg", "pv-data", "westeurope");
        arm.addDisk("sub", "rg", "pv-invoices", "westeurope");
        fromSource = Kbackup.filesystem(dir, source).with(
                "--kbackup.snapshots.provider=azure-disk", "--kbackup.snapshots.azure.subscription-id=sub",
                "--kbackup.snapshots.azure.resource-group=snapshots",
                "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                "--kbackup.snapshots.azure.credential=none", "--kbackup.snapshots.poll-interval=20ms");
        Path targetDir = Files.createDirectories(dir.resolve("target"));
        intoTarget = fromSource.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(targetDir));
        assertThat(fromSource.run("backup", "--name", "with-data", "--include-namespaces", "shop").exitCode()).isZero();
    }

    @AfterEach
    void stop() {
        source.close();
        target.close();
        arm.close();
    }

    @Test
    void aNewDiskIsCreatedFromTheSnapshotAndThePvPointsAtIt() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "with-data", "--name", "dr");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode disk = arm.disks().stream().filter(d -> d.path("name").asText().equals("kbackup-dr-pv-data")).findFirst().orElseThrow();
        assertThat(disk.path("properties").path("creationData").path("sourceResourceId").asText())
                .isEqualTo("/subscriptions/sub/resourceGroups/snapshots/providers/Microsoft.Compute/snapshots/kbackup-with-data-pv-data");
        assertThat(disk.path("location").asText()).isEqualTo("westeurope");
        PersistentVolume pv = target.client().persistentVolumes().withName("pv-data").get();
        assertThat(pv.getSpec().getCsi().getVolumeHandle()).isEqualTo(disk.path("id").asText());
        assertThat(pv.getSpec().getClaimRef().getUid()).isNull();
        PersistentVolumeClaim pvc = target.client().persistentVolumeClaims().inNamespace("shop").withName("data").get();
        assertThat(pvc.getSpec().getVolumeName()).isEqualTo("pv-data");
    }

    @Test
    void csiClaimsComeBackFromAPreProvisionedSnapshotInTheMappedNamespace() {
        try (SnapshotController controller = new SnapshotController(source, null)) {
            Kbackup csi = fromSource.with("--kbackup.snapshots.provider=csi", "--kbackup.snapshots.csi.volume-snapshot-class=vsc");
            assertThat(csi.run("backup", "--name", "csi-data", "--include-namespaces", "shop").exitCode()).isZero();
            Kbackup csiIntoTarget = intoTarget.with("--kbackup.snapshots.provider=csi", "--kbackup.snapshots.csi.volume-snapshot-class=vsc");

            Kbackup.Result result = csiIntoTarget.run("restore", "--from", "csi-data", "--name", "csi-dr",
                    "--namespace-mapping", "shop=shop-dr");

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(target.client().persistentVolumes().withName("pv-data").get()).as("provisioned through the claim").isNull();
            PersistentVolumeClaim pvc = target.client().persistentVolumeClaims().inNamespace("shop-dr").withName("data").get();
            assertThat(pvc.getSpec().getVolumeName()).isNull();
            assertThat(pvc.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
            String snapshotName = pvc.getSpec().getDataSource().getName();
            var vs = target.client().genericKubernetesResources(jobs.kube.KnownTypes.VOLUME_SNAPSHOTS.context())
                    .inNamespace("shop-dr").withName(snapshotName).get();
            @SuppressWarnings("unchecked")
            String contentName = (String) ((java.util.Map<String, Object>) ((java.util.Map<String, Object>) vs.getAdditionalProperties()
                    .get("spec")).get("source")).get("volumeSnapshotContentName");
            var content = target.client().genericKubernetesResources(jobs.kube.KnownTypes.VOLUME_SNAPSHOT_CONTENTS.context())
                    .withName(contentName).get();
            assertThat(content.getAdditionalProperties().get("spec")).isEqualTo(java.util.Map.of(
                    "driver", "disk.csi.azure.com", "deletionPolicy", "Retain",
                    "source", java.util.Map.of("snapshotHandle", jobs.testing.Stored.manifest(jobs.testing.Stored.filesystem(dir), "csi-data")
                            .volumes().stream().filter(v -> v.claim().equals("data")).findFirst().orElseThrow().snapshotId()),
                    "volumeSnapshotRef", java.util.Map.of("namespace", "shop-dr", "name", snapshotName),
                    "volumeSnapshotClassName", "vsc"));
        }
    }

    /**
     * A copy of a namespace in the same cluster: the original PV stays bound to the original claim, so the copied
     * claim gets a PV of its own, on a disk of its own from the snapshot.
     */
    @Test
    void aNamespaceCopyInTheSameClusterGetsItsOwnVolumeFromTheSnapshot() {
        Kbackup.Result result = fromSource.run("restore", "--from", "with-data", "--name", "copy", "--namespace-mapping", "shop=shop-copy");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        PersistentVolume original = source.client().persistentVolumes().withName("pv-data").get();
        assertThat(original.getSpec().getClaimRef().getNamespace()).isEqualTo("shop");
        PersistentVolumeClaim copy = source.client().persistentVolumeClaims().inNamespace("shop-copy").withName("data").get();
        assertThat(copy.getSpec().getVolumeName()).isEqualTo("kbackup-copy-pv-data");
        PersistentVolume own = source.client().persistentVolumes().withName("kbackup-copy-pv-data").get();
        assertThat(own).as("the copy's own PV").isNotNull();
        assertThat(own.getSpec().getClaimRef().getNamespace()).isEqualTo("shop-copy");
        assertThat(own.getSpec().getClaimRef().getName()).isEqualTo("data");
        JsonNode disk = arm.disks().stream().filter(d -> d.path("name").asText().equals("kbackup-copy-pv-data")).findFirst().orElseThrow();
        assertThat(own.getSpec().getCsi().getVolumeHandle()).isEqualTo(disk.path("id").asText())
                .isNotEqualTo(original.getSpec().getCsi().getVolumeHandle());
        assertThat(source.client().persistentVolumeClaims().inNamespace("shop").withName("data").get().getSpec().getVolumeName())
                .as("the original claim is untouched").isEqualTo("pv-data");
    }

    @Test
    void withoutVolumesClaimsAreProvisionedFresh() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "with-data", "--name", "fresh", "--restore-volumes", "false");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(target.client().persistentVolumes().withName("pv-data").get()).isNull();
        assertThat(target.client().persistentVolumeClaims().inNamespace("shop").withName("data").get().getSpec().getVolumeName()).isNull();
        assertThat(arm.disks()).hasSize(2);
    }

    @Test
    void aDryRunCreatesNoDisk() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "with-data", "--name", "preview", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("would create a disk (Standard_LRS, no zone) from snapshot");
        assertThat(arm.disks()).hasSize(2);
    }
}
