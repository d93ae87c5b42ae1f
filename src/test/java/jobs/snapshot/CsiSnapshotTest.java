package jobs.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.Map;
import jobs.kube.KnownTypes;
import jobs.store.Manifest.VolumeRecord;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volumes step with the csi provider; the test plays the CSI snapshot controller on the API server double. */
class CsiSnapshotTest {

    @TempDir
    Path dir;
    ApiServer api;
    SnapshotController controller;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        api.close();
    }

    @Test
    void takesAVolumeSnapshotPerClaimAndRecordsTheContentHandle() {
        controller = new SnapshotController(api, "invoices");
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.csi.volume-snapshot-class=csi-azuredisk-vsc", "--kbackup.snapshots.poll-interval=50ms");

        Kbackup.Result result = kbackup.run("backup", "--name", "csi");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        var volumes = Stored.manifest(Stored.filesystem(dir), "csi").volumes();
        VolumeRecord data = volumes.stream().filter(v -> v.claim().equals("data")).findFirst().orElseThrow();
        assertThat(data.phase()).isEqualTo("Completed");
        assertThat(data.provider()).isEqualTo("csi");
        assertThat(data.snapshotId()).startsWith("handle-data-");
        assertThat(controller.storageSnapshots()).contains(data.snapshotId());
        assertThat(data.details()).containsEntry("volumeSnapshot", "shop/kbackup-csi-data")
                .containsEntry("volumeSnapshotClass", "csi-azuredisk-vsc").containsEntry("driver", "disk.csi.azure.com");
        VolumeRecord invoices = volumes.stream().filter(v -> v.claim().equals("invoices")).findFirst().orElseThrow();
        assertThat(invoices.phase()).isEqualTo("Failed");
        assertThat(invoices.message()).contains("billing/kbackup-csi-invoices").contains("disk busy");

        GenericKubernetesResource vs = api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOTS.context())
                .inNamespace("shop").withName("kbackup-csi-data").get();
        assertThat(vs.getMetadata().getLabels()).containsEntry("kbackup.io/backup-name", "csi");
        assertThat(vs.getAdditionalProperties().get("spec")).isEqualTo(Map.of(
                "source", Map.of("persistentVolumeClaimName", "data"), "volumeSnapshotClassName", "csi-azuredisk-vsc"));
        // The content outlives its VolumeSnapshot, and so its namespace.
        GenericKubernetesResource content = api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOT_CONTENTS.context())
                .withName(data.details().get("volumeSnapshotContent")).get();
        assertThat(((Map<?, ?>) content.getAdditionalProperties().get("spec")).get("deletionPolicy")).isEqualTo("Retain");
    }

    /**
     * The wait for readyToUse is a watch: with the default 5 s poll interval, snapshots the controller makes ready
     * after 300 ms are all taken up within the second, and no VolumeSnapshot is fetched again and again.
     */
    @Test
    void readyToUseIsWatchedNotPolled() {
        controller = new SnapshotController(api, null, java.time.Duration.ofMillis(300));
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.csi.volume-snapshot-class=csi-azuredisk-vsc");

        Kbackup.Result result = kbackup.run("backup", "--name", "watched");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Stored.manifest(Stored.filesystem(dir), "watched").volumes())
                .allSatisfy(v -> assertThat(v.phase()).isEqualTo("Completed")).hasSize(2);
        assertThat(api.watchesOpened()).isGreaterThanOrEqualTo(2);
    }

    /** Backs up shop with CSI snapshots that may take 1 s, expecting exit 3, and returns the one volume's record. */
    private VolumeRecord timedOut(String backup) {
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.poll-interval=50ms", "--kbackup.snapshots.timeout=1s");

        Kbackup.Result result = kbackup.run("backup", "--name", backup, "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        VolumeRecord data = Stored.manifest(Stored.filesystem(dir), backup).volumes().get(0);
        assertThat(data.phase()).isEqualTo("Failed");
        return data;
    }

    @Test
    void aSnapshotThatNeverBecomesReadyTimesOut() {
        assertThat(timedOut("stuck").message()).as("no snapshot controller: never even cut")
                .isEqualTo("VolumeSnapshot shop/kbackup-stuck-data was not cut within PT1S");
    }

    @Test
    void aSnapshotCutButNeverReadyTimesOutWaitingForIt() {
        try (SnapshotController slow = new SnapshotController(api, null, java.time.Duration.ofMinutes(5))) {
            assertThat(timedOut("uploading").message())
                    .isEqualTo("VolumeSnapshot shop/kbackup-uploading-data was not ready to use within PT1S");
        }
    }
}
