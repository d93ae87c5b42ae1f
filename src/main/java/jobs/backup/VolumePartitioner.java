package jobs.backup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import jobs.support.Json;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Partitions of the volumes step. Volumes mounted by pods with backup hooks go together with those pods: the pods
 * that share any of them, and all of their volumes, form one group ({@code pods-<namespace>-<first pod>}), frozen
 * once around all of its snapshots. Every other volume is a partition of its own ({@code volume-<pv>}). Names follow
 * from the content, so a restarted backup re-runs exactly the partitions that did not finish. The worker reads the
 * PVs and pods itself, so one that has gone is recorded, not lost.
 */
class VolumePartitioner implements Partitioner {

    static final String ENTRIES = "volumes.entries";
    static final String PODS = "hooks.pods";

    private final Iterable<String> claims;
    private final Map<String, List<String>> hookPods;
    private final boolean hooksWithoutVolumes;

    /**
     * @param claims              {@code namespace/claim=pv} entries recorded by the resources step
     * @param hookPods            running pods with hooks, {@code namespace/pod} to the claims they mount
     * @param hooksWithoutVolumes whether a pod with hooks and no snapshotted volume gets a partition of its own
     */
    VolumePartitioner(Iterable<String> claims, Map<String, List<String>> hookPods, boolean hooksWithoutVolumes) {
        this.claims = claims;
        this.hookPods = hookPods;
        this.hooksWithoutVolumes = hooksWithoutVolumes;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, String> entryByClaim = new TreeMap<>();
        for (String entry : claims) {
            entryByClaim.put(entry.substring(0, entry.lastIndexOf('=')), entry);
        }
        List<Group> groups = new ArrayList<>();
        hookPods.forEach((pod, podClaims) -> {
            String namespace = pod.substring(0, pod.indexOf('/'));
            Group group = new Group();
            group.pods.add(pod);
            podClaims.stream().map(c -> namespace + "/" + c).filter(entryByClaim::containsKey).forEach(group.claims::add);
            if (group.claims.isEmpty()) {
                if (hooksWithoutVolumes) {
                    groups.add(group); // its hooks run on their own, pre then post
                }
                return; // otherwise no volume of it is snapshotted, and its hooks do not run
            }
            for (var it = groups.iterator(); it.hasNext(); ) {
                Group other = it.next();
                if (!other.claims.isEmpty() && other.claims.stream().anyMatch(group.claims::contains)) {
                    group.pods.addAll(other.pods);
                    group.claims.addAll(other.claims);
                    it.remove();
                }
            }
            groups.add(group);
        });
        Map<String, ExecutionContext> partitions = new TreeMap<>();
        for (Group group : groups) {
            List<String> entries = group.claims.stream().map(entryByClaim::get).toList();
            group.claims.forEach(entryByClaim::remove);
            partitions.put("pods-" + group.pods.first().replace('/', '-'), context(entries, List.copyOf(group.pods)));
        }
        entryByClaim.values().forEach(entry -> partitions.put("volume-" + entry.substring(entry.lastIndexOf('=') + 1),
                context(List.of(entry), List.of())));
        return new LinkedHashMap<>(partitions);
    }

    private static ExecutionContext context(List<String> entries, List<String> pods) {
        ExecutionContext context = new ExecutionContext();
        context.putString(ENTRIES, Json.write(entries));
        context.putString(PODS, Json.write(pods));
        return context;
    }

    private static final class Group {
        final TreeSet<String> pods = new TreeSet<>();
        final TreeSet<String> claims = new TreeSet<>();
    }
}
