package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

/**
 * CSI snapshots and the disaster they are for: the VolumeSnapshotClass has the usual {@code deletionPolicy: Delete},
 * and {@code kubectl delete namespace shop} deletes the VolumeSnapshots in it. kbackup's contents are retained, so a
 * restore binds the claims from them; a purge then leaves nothing of the restore point behind.
 */
class CsiDisasterTest {

    @TempDir
    Path dir;
    ApiServer api;
    SnapshotController controller;
    Kbackup csi;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
        SnapshotController.createClass(api, "csi-azuredisk-vsc", "Delete");
        controller = new SnapshotController(api, null);
        csi = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.csi.volume-snapshot-class=csi-azuredisk-vsc", "--kbackup.policy.keep-last=0");
    }

    @AfterEach
    void stop() {
        controller.close();
        api.close();
    }

    private VolumeRecord backUp(String name) {
        Kbackup.Result backup = csi.run("backup", "--name", name, "--include-namespaces", "shop");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        VolumeRecord data = Stored.manifest(Stored.filesystem(dir), name).volumes().stream()
                .filter(v -> v.claim().equals("data")).findFirst().orElseThrow();
        assertThat(data.isCompleted()).as(data.toString()).isTrue();
        assertThat(controller.storageSnapshots()).contains(data.snapshotId());
        return data;
    }

    private boolean contentExists(VolumeRecord volume) {
        return api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOT_CONTENTS.context())
                .withName(volume.details().get("volumeSnapshotContent")).get() != null;
    }

    @Test
    void aNamespaceDeletedAfterACsiBackupComesBackWithItsClaimsBoundFromTheRetainedSnapshots() throws Exception {
        VolumeRecord data = backUp("nightly");

        api.client().namespaces().withName("shop").delete();
        api.client().configMaps().inNamespace("shop").withName("leaving")
                .edit(cm -> new ConfigMapBuilder(cm).editMetadata().withFinalizers().endMetadata().build());
        api.client().namespaces().withName("shop").waitUntilCondition(ns -> ns == null, 30, TimeUnit.SECONDS);
        // Many rounds of the snapshot controller: time enough for a Delete content to go with its VolumeSnapshot.
        Thread.sleep(500);
        assertThat(contentExists(data)).as("the content outlives its namespace").isTrue();
        assertThat(controller.storageSnapshots()).contains(data.snapshotId());

        Kbackup.Result restored = csi.run("restore", "--from", "nightly", "--name", "after-disaster");

        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        var claim = api.client().persistentVolumeClaims().inNamespace("shop").withName("data")
                .waitUntilCondition(pvc -> pvc != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase()),
                        30, TimeUnit.SECONDS);
        assertThat(claim.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
    }

    /** A copy of the namespace in the same cluster: the copied claim gets a volume of its own from the snapshot. */
    @Test
    void aCsiNamespaceCopyInTheSameClusterGetsItsOwnVolume() {
        backUp("nightly");

        Kbackup.Result copied = csi.run("restore", "--from", "nightly", "--name", "copy", "--namespace-mapping", "shop=shop-copy");

        assertThat(copied.exitCode()).as(copied.toString()).isZero();
        var copy = api.client().persistentVolumeClaims().inNamespace("shop-copy").withName("data")
                .waitUntilCondition(pvc -> pvc != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase()),
                        30, TimeUnit.SECONDS);
        assertThat(copy.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(copy.getSpec().getVolumeName()).isNotEqualTo("pv-data");
        var original = api.client().persistentVolumeClaims().inNamespace("shop").withName("data").get();
        assertThat(original.getSpec().getVolumeName()).as("the original keeps its volume").isEqualTo("pv-data");
        assertThat(api.client().persistentVolumes().withName("pv-data").get().getSpec().getClaimRef().getNamespace()).isEqualTo("shop");
    }

    @Test
    void aPurgeLeavesNothingOfACsiRestorePoint() throws Exception {
        VolumeRecord data = backUp("old");
        expire("old");

        Kbackup.Result purge = csi.run("purge");

        assertThat(purge.exitCode()).as(purge.toString()).isZero();
        assertThat(Stored.filesystem(dir).find("old")).isEmpty();
        String[] snapshot = data.details().get("volumeSnapshot").split("/");
        assertThat(api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOTS.context()).inNamespace(snapshot[0])
                .withName(snapshot[1]).get()).isNull();
        // The snapshot controller finishes the deletion: the content's finalizer, then the storage snapshot.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (contentExists(data) || controller.storageSnapshots().contains(data.snapshotId())) {
            assertThat(System.nanoTime()).as("content and storage snapshot deleted").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Moves a restore point's dates 30 days back, as if it had been taken then with a 7-day retention. */
    private void expire(String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path file = dir.resolve("backups/backups").resolve(name).resolve("manifest.json");
        ObjectNode manifest = (ObjectNode) json.readTree(file.toFile());
        Instant started = Instant.now().minus(30, ChronoUnit.DAYS);
        manifest.put("startedAt", started.toString()).put("completedAt", started.toString())
                .put("expiresAt", started.plus(7, ChronoUnit.DAYS).toString());
        Files.write(file, json.writeValueAsBytes(manifest));
        assertThat(Map.of("phase", manifest.path("phase").asText())).containsEntry("phase", "Completed");
    }
}
