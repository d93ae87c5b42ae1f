package jobs.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jobs.kube.KnownTypes;

/**
 * Plays the CSI external snapshotter on the API server double: binds every new VolumeSnapshot to a
 * VolumeSnapshotContent with handle {@code handle-<claim>} and marks it ready, or reports an error for one claim.
 */
public final class SnapshotController implements AutoCloseable {

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    public SnapshotController(ApiServer api, String failingClaim) {
        loop.scheduleWithFixedDelay(() -> reconcile(api, failingClaim), 50, 50, TimeUnit.MILLISECONDS);
    }

    @SuppressWarnings("unchecked")
    private static void reconcile(ApiServer api, String failingClaim) {
        var snapshots = api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOTS.context()).inAnyNamespace().list();
        for (GenericKubernetesResource vs : snapshots.getItems()) {
            Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("source");
            String claim = (String) source.get("persistentVolumeClaimName");
            if (vs.getAdditionalProperties().get("status") != null || claim == null) {
                continue; // done already, or pre-provisioned from a content (a restore)
            }
            if (claim.equals(failingClaim)) {
                vs.getAdditionalProperties().put("status", Map.of("readyToUse", false,
                        "error", Map.of("message", "Failed to check and update snapshot content: disk busy")));
            } else {
                String content = "snapcontent-" + vs.getMetadata().getUid();
                api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOT_CONTENTS.context()).resource(
                        new GenericKubernetesResourceBuilder().withApiVersion("snapshot.storage.k8s.io/v1")
                                .withKind("VolumeSnapshotContent").withNewMetadata().withName(content).endMetadata()
                                .addToAdditionalProperties("spec", Map.of("driver", "disk.csi.azure.com", "deletionPolicy", "Delete"))
                                .addToAdditionalProperties("status", Map.of("readyToUse", true, "snapshotHandle", "handle-" + claim))
                                .build()).create();
                vs.getAdditionalProperties().put("status", Map.of("readyToUse", true, "boundVolumeSnapshotContentName", content));
            }
            api.client().genericKubernetesResources(KnownTypes.VOLUME_SNAPSHOTS.context())
                    .inNamespace(vs.getMetadata().getNamespace()).resource(vs).update();
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
