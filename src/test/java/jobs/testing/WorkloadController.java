package jobs.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the Deployment, ReplicaSet and StatefulSet controllers and the kubelet in one namespace of the API double: a
 * Deployment gets a ReplicaSet it controls, a ReplicaSet its replicas of pods (labels, annotations and spec from the
 * template, names {@code <replicaset>-<n>}), a StatefulSet its pods {@code <name>-<k>} one by one, each once the one
 * before is ready (OrderedReady), and every pod in the namespace starts: Running with its containers running
 * {@code startAfter} after it was first seen, and ready {@code readyAfter} after that (never, when null). Tests read
 * when each pod became ready.
 */
public final class WorkloadController implements AutoCloseable {

    private final ApiServer api;
    private final String namespace;
    private final Duration startAfter;
    private final Duration readyAfter;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "api-double-workload-controller");
        thread.setDaemon(true);
        return thread;
    });

    public WorkloadController(ApiServer api, String namespace, Duration startAfter, Duration readyAfter) {
        this.api = api;
        this.namespace = namespace;
        this.startAfter = startAfter;
        this.readyAfter = readyAfter;
        loop.scheduleWithFixedDelay(this::reconcileSafely, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** When each pod (by name) became ready, in System.nanoTime. */
    public Map<String, Long> readyAt() {
        return Map.copyOf(readyAt);
    }

    private void reconcileSafely() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            // A conflict with a concurrent write: the next round sees the new state.
        }
    }

    private void reconcile() {
        var client = api.client();
        List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(namespace).list().getItems();
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            String uid = d.getMetadata().getUid();
            if (sets.stream().noneMatch(rs -> ownedBy(rs.getMetadata().getOwnerReferences(), uid))) {
                client.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder().withNewMetadata()
                        .withName(d.getMetadata().getName() + "-7c9f").withNamespace(namespace)
                        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
                        .withOwnerReferences(owner("apps/v1", "Deployment", d.getMetadata().getName(), uid)).endMetadata()
                        .withNewSpec().withReplicas(d.getSpec().getReplicas()).withSelector(d.getSpec().getSelector())
                        .withTemplate(d.getSpec().getTemplate()).endSpec().build()).create();
            }
        }
        List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
        for (var set : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            // OrderedReady: pod k is created once pods 0..k-1 are ready.
            int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
            for (int k = 0; k < replicas; k++) {
                String name = set.getMetadata().getName() + "-" + k;
                if (pods.stream().anyMatch(p -> p.getMetadata().getName().equals(name))) {
                    if (!readyAt.containsKey(name)) {
                        break;
                    }
                    continue;
                }
                var template = set.getSpec().getTemplate();
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                        .withLabels(template.getMetadata().getLabels()).withAnnotations(template.getMetadata().getAnnotations())
                        .withOwnerReferences(owner("apps/v1", "StatefulSet", set.getMetadata().getName(), set.getMetadata().getUid()))
                        .endMetadata().withSpec(template.getSpec()).withNewStatus().withPhase("Pending").endStatus().build()).create();
                break;
            }
        }
        for (ReplicaSet rs : client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
            String uid = rs.getMetadata().getUid();
            long owned = pods.stream().filter(p -> ownedBy(p.getMetadata().getOwnerReferences(), uid)).count();
            int replicas = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
            for (long n = owned; n < replicas; n++) {
                var template = rs.getSpec().getTemplate();
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
                        .withName(rs.getMetadata().getName() + "-" + n).withNamespace(namespace)
                        .withLabels(template.getMetadata().getLabels()).withAnnotations(template.getMetadata().getAnnotations())
                        .withOwnerReferences(owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(), uid)).endMetadata()
                        .withSpec(template.getSpec()).withNewStatus().withPhase("Pending").endStatus().build()).create();
            }
        }
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            start(pod);
        }
    }

    private void start(Pod pod) {
        String name = pod.getMetadata().getName();
        long seen = firstSeen.computeIfAbsent(name, n -> System.nanoTime());
        long age = System.nanoTime() - seen;
        boolean running = age >= startAfter.toNanos();
        boolean ready = running && readyAfter != null && age >= startAfter.plus(readyAfter).toNanos();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean wasReady = readyAt.containsKey(name);
        if (!running || "Succeeded".equals(phase) || "Failed".equals(phase) || ("Running".equals(phase) && ready == wasReady
                && pod.getStatus().getContainerStatuses() != null && !pod.getStatus().getContainerStatuses().isEmpty())) {
            return;
        }
        var statuses = pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder().withName(c.getName())
                .withImage(c.getImage()).withReady(ready).withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                .endRunning().endState().build()).toList();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withContainerStatuses(statuses)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build()).build());
        if (ready) {
            readyAt.put(name, System.nanoTime()); // before the pod says so, so nothing can see it ready earlier
        }
        try {
            api.client().pods().inNamespace(namespace).resource(pod).update();
        } catch (RuntimeException e) {
            readyAt.remove(name);
            throw e;
        }
    }

    private static boolean ownedBy(List<io.fabric8.kubernetes.api.model.OwnerReference> owners, String uid) {
        return owners != null && owners.stream().anyMatch(o -> uid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController()));
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference owner(String apiVersion, String kind, String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid)
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
