package jobs.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the CSI external snapshotter (and, for claims restored from a snapshot, the provisioner) on the API server
 * double, with a store of storage-side snapshots behind it:
 * <ul>
 *   <li>a new VolumeSnapshot of a claim gets a VolumeSnapshotContent ({@code deletionPolicy} from its
 *       VolumeSnapshotClass, {@code Delete} by default) and a storage snapshot with handle
 *       {@code handle-<claim>-<n>}, and is marked ready {@code readyAfter} after it was first seen; or an error, for
 *       one claim;</li>
 *   <li>deletionPolicy is honoured: when a VolumeSnapshot goes (deleted, or with its namespace), a {@code Delete}
 *       content and its storage snapshot go with it, a {@code Retain} one stays. Contents carry the real
 *       controller's finalizer, so a deleted content's policy at deletion time decides about its storage
 *       snapshot;</li>
 *   <li>a pre-provisioned VolumeSnapshot (a restore) is ready when its content's handle names a storage snapshot that
 *       exists, and fails otherwise;</li>
 *   <li>a claim whose dataSource is a VolumeSnapshot is Bound once that snapshot is ready, and stays Pending if it
 *       failed.</li>
 * </ul>
 */
public final class SnapshotController implements AutoCloseable {

    static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder().withGroup("snapshot.storage.k8s.io")
            .withVersion("v1").withPlural("volumesnapshots").withKind("VolumeSnapshot").withNamespaced(true).build();
    static final ResourceDefinitionContext CONTENTS = new ResourceDefinitionContext.Builder().withGroup("snapshot.storage.k8s.io")
            .withVersion("v1").withPlural("volumesnapshotcontents").withKind("VolumeSnapshotContent").withNamespaced(false).build();
    static final ResourceDefinitionContext CLASSES = new ResourceDefinitionContext.Builder().withGroup("snapshot.storage.k8s.io")
            .withVersion("v1").withPlural("volumesnapshotclasses").withKind("VolumeSnapshotClass").withNamespaced(false).build();

    private final ApiServer api;
    private final String failingClaim;
    private final Duration readyAfter;
    private volatile Duration cutAfter = Duration.ZERO;
    /** When each VolumeSnapshot was first seen uncut, by uid. */
    private final Map<String, Long> requested = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "api-double-snapshot-controller");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    /** The storage side: snapshot handles that exist. */
    private final Set<String> storage = ConcurrentHashMap.newKeySet();
    private final AtomicInteger handles = new AtomicInteger();

    public SnapshotController(ApiServer api, String failingClaim) {
        this(api, failingClaim, Duration.ZERO);
    }

    public SnapshotController(ApiServer api, String failingClaim, Duration readyAfter) {
        this.api = api;
        this.failingClaim = failingClaim;
        this.readyAfter = readyAfter;
        loop.scheduleWithFixedDelay(this::reconcileSafely, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** New snapshots are cut this long after they are first seen (a busy storage backend), instead of at once. */
    public SnapshotController cutAfter(Duration delay) {
        this.cutAfter = delay;
        return this;
    }

    /** Creates a VolumeSnapshotClass of the Azure disk CSI driver with this deletion policy. */
    public static void createClass(ApiServer api, String name, String deletionPolicy) {
        api.client().genericKubernetesResources(CLASSES).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshotClass").withNewMetadata().withName(name).endMetadata()
                .addToAdditionalProperties("driver", "disk.csi.azure.com")
                .addToAdditionalProperties("deletionPolicy", deletionPolicy).build()).create();
    }

    /** The storage snapshots that exist now. */
    public Set<String> storageSnapshots() {
        return Set.copyOf(storage);
    }

    private void reconcileSafely() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            // A conflict with a concurrent write: the next round sees the new state.
        }
    }

    @SuppressWarnings("unchecked")
    private void reconcile() {
        Map<String, GenericKubernetesResource> snapshots = new HashMap<>();
        for (GenericKubernetesResource vs : api.client().genericKubernetesResources(SNAPSHOTS).inAnyNamespace().list().getItems()) {
            snapshots.put(vs.getMetadata().getNamespace() + "/" + vs.getMetadata().getName(), vs);
            Object status = vs.getAdditionalProperties().get("status");
            if (status instanceof Map<?, ?> cut && Boolean.FALSE.equals(cut.get("readyToUse")) && cut.get("error") == null
                    && cut.get("boundVolumeSnapshotContentName") != null) {
                makeReady(vs, (Map<String, Object>) cut);
            }
            long seen = requested.computeIfAbsent(vs.getMetadata().getUid(), uid -> System.nanoTime());
            if (status == null && System.nanoTime() - seen >= cutAfter.toNanos()) {
                Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("source");
                if (source.get("persistentVolumeClaimName") != null) {
                    snapshot(vs, (String) source.get("persistentVolumeClaimName"));
                } else {
                    bindPreProvisioned(vs, (String) source.get("volumeSnapshotContentName"));
                }
            }
        }
        for (GenericKubernetesResource content : api.client().genericKubernetesResources(CONTENTS).list().getItems()) {
            Map<String, Object> spec = (Map<String, Object>) content.getAdditionalProperties().get("spec");
            String policy = String.valueOf(spec.get("deletionPolicy"));
            String handle = handle(content);
            if (content.getMetadata().getDeletionTimestamp() != null) {
                // Deleted: the policy it has now decides about the storage snapshot, then the finalizer goes.
                if (policy.equals("Delete")) {
                    storage.remove(handle);
                }
                content.getMetadata().setFinalizers(List.of());
                api.client().genericKubernetesResources(CONTENTS).resource(content).update();
                continue;
            }
            Map<String, Object> ref = (Map<String, Object>) spec.get("volumeSnapshotRef");
            boolean dynamic = spec.get("source") instanceof Map<?, ?> s && s.containsKey("volumeHandle");
            if (dynamic && ref != null && !snapshots.containsKey(ref.get("namespace") + "/" + ref.get("name")) && policy.equals("Delete")) {
                // Its VolumeSnapshot is gone: a Delete content goes, and the storage snapshot with it.
                api.client().genericKubernetesResources(CONTENTS).withName(content.getMetadata().getName()).delete();
            }
        }
        bindClaims(snapshots);
    }

    /**
     * Cuts the snapshot as the external snapshotter does: the content is created and the VolumeSnapshot gets its
     * {@code creationTime} at once (the point in time is fixed, the storage snapshot exists), and it becomes ready
     * to use {@code readyAfter} later, when the data is uploaded.
     */
    private void snapshot(GenericKubernetesResource vs, String claim) {
        firstSeen.put(vs.getMetadata().getUid(), System.nanoTime());
        if (claim.equals(failingClaim)) {
            vs.getAdditionalProperties().put("status", Map.of("readyToUse", false,
                    "error", Map.of("message", "Failed to check and update snapshot content: disk busy")));
        } else {
            String content = "snapcontent-" + vs.getMetadata().getUid();
            String handle = "handle-" + claim + "-" + handles.incrementAndGet();
            storage.add(handle);
            Map<String, Object> spec = new HashMap<>();
            spec.put("driver", "disk.csi.azure.com");
            spec.put("deletionPolicy", deletionPolicy(vs));
            spec.put("source", Map.of("volumeHandle", "vol-" + claim));
            spec.put("volumeSnapshotRef", Map.of("namespace", vs.getMetadata().getNamespace(), "name", vs.getMetadata().getName(),
                    "uid", vs.getMetadata().getUid()));
            api.client().genericKubernetesResources(CONTENTS).resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshotContent")
                    .withNewMetadata().withName(content)
                    .addToFinalizers("snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection").endMetadata()
                    .addToAdditionalProperties("spec", spec)
                    .addToAdditionalProperties("status", Map.of("readyToUse", false, "snapshotHandle", handle))
                    .build()).create();
            vs.getAdditionalProperties().put("status", Map.of("readyToUse", false, "boundVolumeSnapshotContentName", content,
                    "creationTime", java.time.Instant.now().toString()));
        }
        api.client().genericKubernetesResources(SNAPSHOTS).inNamespace(vs.getMetadata().getNamespace()).resource(vs).update();
        if (!claim.equals(failingClaim)) {
            api.events().add("cut volumesnapshots " + vs.getMetadata().getNamespace() + "/" + vs.getMetadata().getName());
        }
        if (readyAfter.isZero()) {
            makeReady(vs, (Map<String, Object>) vs.getAdditionalProperties().get("status"));
        }
    }

    private void makeReady(GenericKubernetesResource vs, Map<String, Object> status) {
        Long seen = firstSeen.get(vs.getMetadata().getUid());
        if (status.get("error") != null || seen != null && System.nanoTime() - seen < readyAfter.toNanos()) {
            return;
        }
        String contentName = String.valueOf(status.get("boundVolumeSnapshotContentName"));
        GenericKubernetesResource content = api.client().genericKubernetesResources(CONTENTS).withName(contentName).get();
        if (content != null) {
            content.getAdditionalProperties().put("status", Map.of("readyToUse", true, "snapshotHandle", handle(content)));
            api.client().genericKubernetesResources(CONTENTS).resource(content).update();
        }
        GenericKubernetesResource current = api.client().genericKubernetesResources(SNAPSHOTS).inNamespace(vs.getMetadata().getNamespace())
                .withName(vs.getMetadata().getName()).get();
        Map<String, Object> ready = new HashMap<>(status);
        ready.put("readyToUse", true);
        current.getAdditionalProperties().put("status", ready);
        api.client().genericKubernetesResources(SNAPSHOTS).inNamespace(vs.getMetadata().getNamespace()).resource(current).update();
    }

    @SuppressWarnings("unchecked")
    private String deletionPolicy(GenericKubernetesResource vs) {
        Object className = ((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("volumeSnapshotClassName");
        GenericKubernetesResource snapshotClass = className == null ? null
                : api.client().genericKubernetesResources(CLASSES).withName((String) className).get();
        Object policy = snapshotClass == null ? null : snapshotClass.getAdditionalProperties().get("deletionPolicy");
        return policy == null ? "Delete" : policy.toString();
    }

    private void bindPreProvisioned(GenericKubernetesResource vs, String contentName) {
        GenericKubernetesResource content = contentName == null ? null
                : api.client().genericKubernetesResources(CONTENTS).withName(contentName).get();
        String handle = content == null ? null : handle(content);
        if (handle != null && storage.contains(handle)) {
            vs.getAdditionalProperties().put("status", Map.of("readyToUse", true, "boundVolumeSnapshotContentName", contentName));
        } else {
            vs.getAdditionalProperties().put("status", Map.of("readyToUse", false, "error", Map.of("message",
                    "snapshot " + handle + " not found in storage")));
        }
        api.client().genericKubernetesResources(SNAPSHOTS).inNamespace(vs.getMetadata().getNamespace()).resource(vs).update();
    }

    @SuppressWarnings("unchecked")
    private static String handle(GenericKubernetesResource content) {
        Object status = content.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> map && map.get("snapshotHandle") != null) {
            return map.get("snapshotHandle").toString();
        }
        Object spec = content.getAdditionalProperties().get("spec");
        Object source = spec instanceof Map<?, ?> map ? map.get("source") : null;
        return source instanceof Map<?, ?> map && map.get("snapshotHandle") != null ? map.get("snapshotHandle").toString() : null;
    }

    @SuppressWarnings("unchecked")
    private void bindClaims(Map<String, GenericKubernetesResource> snapshots) {
        for (PersistentVolumeClaim pvc : api.client().persistentVolumeClaims().inAnyNamespace().list().getItems()) {
            var source = pvc.getSpec().getDataSource();
            boolean pending = pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase());
            if (source == null || !"VolumeSnapshot".equals(source.getKind()) || !pending) {
                continue;
            }
            GenericKubernetesResource vs = snapshots.get(pvc.getMetadata().getNamespace() + "/" + source.getName());
            Object status = vs == null ? null : vs.getAdditionalProperties().get("status");
            if (status instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("readyToUse"))) {
                pvc.getSpec().setVolumeName("pvc-" + pvc.getMetadata().getUid());
                pvc.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
                api.client().persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).resource(pvc).update();
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
