package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;
import jobs.support.Json;

/**
 * Finds the pods of a restored workload as its controllers create them: pods whose controller is the workload, or
 * (for a Deployment) one of the ReplicaSets it controls, matched by owner uid so that pods of an older workload of
 * the same name never count.
 */
final class WorkloadPods {

    private static final int PAGE = 500;
    private static final Duration POLL = Duration.ofMillis(250);

    /**
     * @param pods     names of the pods found
     * @param expected how many the workload wants
     */
    record Found(List<String> pods, int expected) {

        boolean complete() {
            return pods.size() >= expected;
        }
    }

    private final Cluster cluster;
    private final Clock clock;

    WorkloadPods(Cluster cluster, Clock clock) {
        this.cluster = cluster;
        this.clock = clock;
    }

    /** The pods of a restored pod or workload as they are now; none when the object is gone. */
    private Found find(HookTarget target) {
        if (target.isPod()) {
            return new Found(List.of(target.name()), 1);
        }
        GenericKubernetesResource workload = cluster.get(target.type(), target.namespace(), target.name()).orElse(null);
        if (workload == null) {
            return new Found(List.of(), 1);
        }
        JsonNode object = Json.mapper().valueToTree(workload);
        return new Found(owned(target, workload.getMetadata().getUid(), object.path("spec").path("selector")),
                expected(target.type(), object));
    }

    /**
     * Hands each pod of the target to {@code each} as soon as it exists, one at a time, until as many as the workload
     * wants were handed or the deadline passed: a StatefulSet creates its next pod only once the last is ready, which
     * may need that pod's hook first.
     *
     * @return what was found last, to tell whether pods are missing
     */
    Found forEachPod(HookTarget target, Instant deadline, Consumer<String> each) throws InterruptedException {
        Set<String> handed = new HashSet<>();
        while (true) {
            Found found = find(target);
            for (String pod : found.pods()) {
                if (handed.add(pod)) {
                    each.accept(pod);
                }
            }
            if (handed.size() >= found.expected() || !clock.instant().isBefore(deadline)) {
                return new Found(List.copyOf(handed), found.expected());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** How many pods the workload wants running; at least one, since a scaled-to-zero workload runs no hooks anyway. */
    private static int expected(ResourceType type, JsonNode workload) {
        JsonNode spec = workload.path("spec");
        int wanted = switch (type.qualifiedName()) {
            case "daemonsets.apps" -> workload.path("status").path("desiredNumberScheduled").asInt(1);
            case "jobs.batch" -> Math.min(spec.path("parallelism").asInt(1), spec.path("completions").asInt(Integer.MAX_VALUE));
            default -> spec.path("replicas").asInt(1);
        };
        return Math.max(wanted, 1);
    }

    private List<String> owned(HookTarget target, String uid, JsonNode selector) {
        Set<String> owners = new HashSet<>(Set.of(uid));
        String labels = matchLabels(selector);
        if (target.type().qualifiedName().equals("deployments.apps")) {
            each(KnownTypes.REPLICA_SETS, target.namespace(), labels, meta -> {
                if (controlledBy(meta, Set.of(uid))) {
                    owners.add(meta.getUid());
                }
            });
        }
        List<String> pods = new ArrayList<>();
        each(KnownTypes.PODS, target.namespace(), labels, meta -> {
            if (meta.getDeletionTimestamp() == null && controlledBy(meta, owners)) {
                pods.add(meta.getName());
            }
        });
        return pods;
    }

    private void each(ResourceType type, String namespace, String labelSelector, Consumer<ObjectMeta> action) {
        String token = null;
        do {
            token = cluster.list(type, namespace, labelSelector, PAGE, token, o -> action.accept(o.metadata()));
        } while (token != null);
    }

    private static boolean controlledBy(ObjectMeta meta, Set<String> uids) {
        for (OwnerReference owner : meta.getOwnerReferences() == null ? List.<OwnerReference>of() : meta.getOwnerReferences()) {
            if (Boolean.TRUE.equals(owner.getController()) && uids.contains(owner.getUid())) {
                return true;
            }
        }
        return false;
    }

    /** The selector's matchLabels as list-request text; the owner check decides, so expressions are not needed. */
    private static String matchLabels(JsonNode selector) {
        Map<String, String> labels = new TreeMap<>();
        selector.path("matchLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
