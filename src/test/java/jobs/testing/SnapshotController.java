package jobs.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the CSI external snapshotter on the API server double: binds every new VolumeSnapshot to a
 * VolumeSnapshotContent with handle {@code handle-<claim>} and marks it ready, {@code readyAfter} after it first saw
 * it (how long cutting and uploading the snapshot takes), or reports an error for one claim.
 */
public final class SnapshotController implements AutoCloseable {

    static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder().withGroup("snapshot.storage.k8s.io")
            .withVersion("v1").withPlural("volumesnapshots").withKind("VolumeSnapshot").withNamespaced(true).build();
    static final ResourceDefinitionContext CONTENTS = new ResourceDefinitionContext.Builder().withGroup("snapshot.storage.k8s.io")
            .withVersion("v1").withPlural("volumesnapshotcontents").withKind("VolumeSnapshotContent").withNamespaced(false).build();

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Duration readyAfter;

    public SnapshotController(ApiServer api, String failingClaim) {
        this(api, failingClaim, Duration.ZERO);
    }

    public SnapshotController(ApiServer api, String failingClaim, Duration readyAfter) {
        this.readyAfter = readyAfter;
        loop.scheduleWithFixedDelay(() -> reconcile(api, failingClaim), 20, 20, TimeUnit.MILLISECONDS);
    }

    @SuppressWarnings("unchecked")
    private void reconcile(ApiServer api, String failingClaim) {
        var snapshots = api.client().genericKubernetesResources(SNAPSHOTS).inAnyNamespace().list();
        for (GenericKubernetesResource vs : snapshots.getItems()) {
            Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("source");
            String claim = (String) source.get("persistentVolumeClaimName");
            if (vs.getAdditionalProperties().get("status") != null || claim == null) {
                continue; // done already, or pre-provisioned from a content (a restore)
            }
            long seen = firstSeen.computeIfAbsent(vs.getMetadata().getUid(), uid -> System.nanoTime());
            if (System.nanoTime() - seen < readyAfter.toNanos()) {
                continue;
            }
            if (claim.equals(failingClaim)) {
                vs.getAdditionalProperties().put("status", Map.of("readyToUse", false,
                        "error", Map.of("message", "Failed to check and update snapshot content: disk busy")));
            } else {
                String content = "snapcontent-" + vs.getMetadata().getUid();
                api.client().genericKubernetesResources(CONTENTS).resource(
                        new GenericKubernetesResourceBuilder().withApiVersion("snapshot.storage.k8s.io/v1")
                                .withKind("VolumeSnapshotContent").withNewMetadata().withName(content).endMetadata()
                                .addToAdditionalProperties("spec", Map.of("driver", "disk.csi.azure.com", "deletionPolicy", "Delete"))
                                .addToAdditionalProperties("status", Map.of("readyToUse", true, "snapshotHandle", "handle-" + claim))
                                .build()).create();
                vs.getAdditionalProperties().put("status", Map.of("readyToUse", true, "boundVolumeSnapshotContentName", content));
            }
            api.client().genericKubernetesResources(SNAPSHOTS)
                    .inNamespace(vs.getMetadata().getNamespace()).resource(vs).update();
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
