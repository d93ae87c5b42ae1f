package jobs.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.Phase;
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

/** The volumes step with the azure-disk provider: the real Azure SDK against the ARM compute test double. */
class AzureDiskSnapshotTest {

    static final String SUBSCRIPTION = "sub";

    @TempDir
    Path dir;
    ApiServer api;
    ArmCompute arm;
    Kbackup kbackup;
    RestorePoints stored;
    String dataDisk;
    String invoicesDisk;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
        // A claim on NFS: a volume the azure-disk provider cannot snapshot.
        api.create(new PersistentVolumeBuilder().withNewMetadata().withName("pv-nfs").endMetadata().withNewSpec()
                        .addToCapacity("storage", new Quantity("1Gi")).withNewNfs().withServer("nfs.local").withPath("/share")
                        .endNfs().withNewClaimRef().withNamespace("shop").withName("shared").endClaimRef().endSpec().build(),
                new PersistentVolumeClaimBuilder().withNewMetadata().withName("shared").withNamespace("shop").endMetadata()
                        .withNewSpec().withVolumeName("pv-nfs").endSpec().build());
        arm = ArmCompute.start();
        dataDisk = arm.addDisk("sub", "rg", "pv-data", "westeurope");
        invoicesDisk = arm.addDisk("sub", "rg", "pv-invoices", "westeurope");
        kbackup = Kbackup.filesystem(dir, api).with(
                "--kbackup.snapshots.provider=azure-disk",
                "--kbackup.snapshots.azure.subscription-id=" + SUBSCRIPTION,
                "--kbackup.snapshots.azure.resource-group=backup-snapshots",
                "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                "--kbackup.snapshots.azure.credential=none",
                "--kbackup.snapshots.poll-interval=20ms");
        stored = Stored.filesystem(dir);
    }

    @AfterEach
    void stop() {
        api.close();
        arm.close();
    }

    private Map<String, VolumeRecord> volumes(String name) {
        return Stored.manifest(stored, name).volumes().stream()
                .collect(Collectors.toMap(VolumeRecord::persistentVolume, v -> v));
    }

    @Test
    void snapshotsEverySelectedManagedDiskIncrementallyInTheSnapshotGroup() {
        arm.throttleNext(2);
        arm.latency(java.time.Duration.ofMillis(300));

        Kbackup.Result result = kbackup.run("backup", "--name", "nightly");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Map<String, VolumeRecord> volumes = volumes("nightly");
        assertThat(volumes).containsOnlyKeys("pv-data", "pv-invoices", "pv-nfs");
        VolumeRecord data = volumes.get("pv-data");
        assertThat(data.phase()).isEqualTo("Completed");
        assertThat(data.provider()).isEqualTo("azure-disk");
        assertThat(data.snapshotId()).isEqualTo(
                "/subscriptions/sub/resourceGroups/backup-snapshots/providers/Microsoft.Compute/snapshots/kbackup-nightly-pv-data");
        assertThat(data.details()).containsEntry("sourceDisk", dataDisk).containsEntry("region", "westeurope");
        assertThat(volumes.get("pv-invoices").phase()).isEqualTo("Completed");
        assertThat(volumes.get("pv-nfs").phase()).isEqualTo("Skipped");
        assertThat(volumes.get("pv-nfs").message()).contains("not an Azure managed disk");

        JsonNode snapshot = arm.snapshots().stream().filter(s -> s.path("name").asText().equals("kbackup-nightly-pv-data"))
                .findFirst().orElseThrow();
        assertThat(snapshot.path("location").asText()).isEqualTo("westeurope");
        assertThat(snapshot.path("properties").path("incremental").asBoolean()).isTrue();
        assertThat(snapshot.path("properties").path("creationData").path("sourceResourceId").asText()).isEqualTo(dataDisk);
        assertThat(snapshot.path("tags").path("kbackup-backup").asText()).isEqualTo("nightly");
        assertThat(snapshot.path("tags").path("kbackup-pvc").asText()).isEqualTo("data");
        assertThat(snapshot.path("tags").path("kbackup-namespace").asText()).isEqualTo("shop");
        assertThat(snapshot.path("tags").path("kbackup-pv").asText()).isEqualTo("pv-data");
        assertThat(arm.snapshots()).hasSize(2);
        assertThat(kbackup.run("describe", "nightly").out()).contains("pv-data").contains("kbackup-nightly-pv-data");
    }

    @Test
    void aFailedSnapshotMakesTheBackupPartiallyFailedNamingTheVolume() {
        arm.failSnapshotsOf(invoicesDisk);

        Kbackup.Result result = kbackup.run("backup", "--name", "broken");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        Manifest manifest = Stored.manifest(stored, "broken");
        assertThat(manifest.phase()).isEqualTo(Phase.PartiallyFailed);
        VolumeRecord invoices = volumes("broken").get("pv-invoices");
        assertThat(invoices.phase()).isEqualTo("Failed");
        assertThat(invoices.message()).contains(invoicesDisk).contains("FAILED");
        assertThat(volumes("broken").get("pv-data").phase()).isEqualTo("Completed");
        assertThat(kbackup.run("describe", "broken").out()).contains("pv-invoices").contains("Failed");
    }

    @Test
    void aRestartRerunsOnlyTheVolumeThatFailedAndNeverSnapshotsTwice() {
        Kbackup noRetries = kbackup.with("--kbackup.kube.request-retries=0", "--kbackup.snapshots.concurrency=1");
        api.failNext("GET", "/api/v1/persistentvolumes/pv-invoices", 1, 500, null);

        Kbackup.Result failed = noRetries.run("backup", "--name", "retry");

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(arm.snapshotPuts()).isEqualTo(1);

        Kbackup.Result resumed = noRetries.run("backup", "--name", "retry");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(volumes("retry").values()).extracting(VolumeRecord::persistentVolume, VolumeRecord::phase)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("pv-data", "Completed"),
                        org.assertj.core.groups.Tuple.tuple("pv-invoices", "Completed"),
                        org.assertj.core.groups.Tuple.tuple("pv-nfs", "Skipped"));
        assertThat(arm.snapshotPuts()).as("each disk snapshotted once").isEqualTo(2);
        assertThat(arm.snapshots()).hasSize(2);
    }

    @Test
    void withSnapshotsOffVolumesAreRecordedAsSkipped() {
        Kbackup.Result result = kbackup.run("backup", "--name", "nosnap", "--snapshot-volumes", "false", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(volumes("nosnap").values()).extracting(VolumeRecord::phase).containsOnly("Skipped");
        assertThat(volumes("nosnap")).containsOnlyKeys("pv-data", "pv-nfs");
        assertThat(arm.snapshots()).isEmpty();
    }

    @Test
    void missingAzureSettingsAreRefused() {
        Kbackup.Result result = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=azure-disk").run("backup");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("kbackup.snapshots.azure.subscription-id and kbackup.snapshots.azure.resource-group are required");
        assertThat(List.of(dir.toFile().list())).containsExactly("kubeconfig");
    }
}
