package jobs.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jobs.hooks.BackupHookRules;
import jobs.hooks.HookCounts;
import jobs.hooks.ExecHook;
import jobs.hooks.HookResult;
import jobs.hooks.HookRunner;
import jobs.hooks.PodHooks;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.snapshot.SnapshotException;
import jobs.snapshot.SnapshotResult;
import jobs.snapshot.Snapshotter;
import jobs.snapshot.VolumeRef;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.RestorePoints;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Snapshots the volumes of one partition, records each outcome in the restore point at once, and freezes the pods
 * with backup hooks that mount them for as short as it can: what the snapshots need is read first (with azure-disk,
 * the source disk and any existing snapshot), then their pre hooks run, every snapshot is started and
 * waited on only until it is cut, their post hooks run (always, once pre hooks were attempted, whatever failed in
 * between), and only then are the snapshots awaited until ready.
 *
 * <p>A pre hook failing with on-error Fail (a timeout, an exec refused and an invalid annotation count as failures)
 * leaves the group's volumes unsnapshotted, recorded Failed with the hook's cause. A pod whose hook annotations do
 * not parse runs none of its hooks. A volume already Completed is not
 * snapshotted again, and a group whose volumes are all Completed runs no hooks, so a restart never runs a post hook
 * without its pre hook, nor takes a second snapshot.
 */
class SnapshotGroupTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(SnapshotGroupTasklet.class);

    private final Cluster cluster;
    private final Snapshotter snapshotter;
    private final HookRunner hooks;
    private final BackupHookRules rules;
    private final RestorePoints restorePoints;
    private final String backupName;
    private final boolean enabled;
    private final Duration timeout;
    private final Duration maxFreeze;
    private final String group;
    private final List<String> entries;
    private final List<String> pods;

    SnapshotGroupTasklet(Cluster cluster, Snapshotter snapshotter, BackupHookRules rules, RestorePoints restorePoints,
                         String backupName, boolean enabled, Duration timeout, Duration maxFreeze, String group, List<String> entries,
                         List<String> pods) {
        this.cluster = cluster;
        this.snapshotter = snapshotter;
        this.hooks = new HookRunner(cluster);
        this.rules = rules;
        this.restorePoints = restorePoints;
        this.backupName = backupName;
        this.enabled = enabled;
        this.timeout = timeout;
        this.maxFreeze = maxFreeze;
        this.group = group;
        this.entries = entries;
        this.pods = pods;
    }

    /** One selected volume: its claim and the PV bound to it. */
    private record Volume(String namespace, String claim, String pv) {

        static Volume of(String entry) {
            int eq = entry.lastIndexOf('=');
            int slash = entry.indexOf('/');
            return new Volume(entry.substring(0, slash), entry.substring(slash + 1, eq), entry.substring(eq + 1));
        }

        VolumeRecord record(String driver, String provider, String snapshotId, String phase, String message,
                            Map<String, String> details) {
            return new VolumeRecord(pv, namespace, claim, driver, provider, snapshotId, phase, message, details);
        }
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        Map<Volume, VolumeRef> toSnapshot = new LinkedHashMap<>();
        for (String entry : entries) {
            Volume volume = Volume.of(entry);
            Optional<VolumeRecord> done = restorePoints.findVolume(backupName, volume.pv()).filter(VolumeRecord::isCompleted);
            if (done.isPresent()) {
                log.info("Volume {} of backup {} already has snapshot {}", volume.pv(), backupName, done.get().snapshotId());
                continue;
            }
            VolumeRef ref = snapshottable(volume);
            if (ref != null) {
                toSnapshot.put(volume, ref);
            }
        }
        // What can be read before a freeze is read now (Azure: the source disk, an existing snapshot).
        Map<Volume, Snapshotter.Prepared> prepared = new LinkedHashMap<>();
        toSnapshot.forEach((volume, ref) -> {
            try {
                prepared.put(volume, snapshotter.prepare(backupName, ref));
            } catch (SnapshotException e) {
                failed(volume, ref, e.getMessage());
            }
        });
        // A group of pods alone (hooks without volumes) runs its hooks; one whose volumes are done runs none.
        boolean hooksOnly = entries.isEmpty() && !pods.isEmpty() && enabled;
        if (prepared.isEmpty() && !hooksOnly) {
            return RepeatStatus.FINISHED;
        }
        List<HookResult> results = new ArrayList<>();
        List<JsonNode> started = new ArrayList<>();
        Map<Volume, Snapshotter.Cut> cut = new LinkedHashMap<>();
        String stopped = null;
        try {
            for (JsonNode pod : runningPods()) {
                PodHooks declared = rules.forPod(pod);
                if (declared.invalid().isEmpty()) {
                    started.add(pod); // from here on its post hooks run, whatever happens
                }
                stopped = runPre(pod, declared, results);
                if (stopped != null) {
                    break;
                }
            }
            if (stopped == null) {
                // The watchdog: frozen pods wait for the cuts at most maxFreeze in all, then they are thawed.
                Instant thawBy = Instant.now().plus(maxFreeze);
                prepared.forEach((volume, snapshot) -> {
                    try {
                        Duration left = started.isEmpty() ? timeout : Duration.between(Instant.now(), thawBy);
                        if (left.isNegative() || left.isZero()) {
                            throw new SnapshotException("not cut: its pods' freeze reached kbackup.hooks.backup.max-freeze ("
                                    + maxFreeze + ") first");
                        }
                        cut.put(volume, snapshot.start(left.compareTo(timeout) < 0 ? left : timeout));
                    } catch (SnapshotException e) {
                        failed(volume, toSnapshot.get(volume), e.getMessage());
                    }
                });
            }
        } finally {
            for (JsonNode pod : started) {
                for (ExecHook hook : rules.forPod(pod).post()) {
                    results.add(HookRunner.logged(hooks.run(pod, hook, "post")));
                }
            }
            if (!results.isEmpty()) {
                restorePoints.addHooks(backupName, group, results);
                HookCounts.add(chunkContext.getStepContext().getStepExecution().getExecutionContext(), results);
            }
        }
        if (stopped != null) {
            for (Volume volume : prepared.keySet()) {
                failed(volume, toSnapshot.get(volume), "not snapshotted: " + stopped);
            }
            return RepeatStatus.FINISHED;
        }
        cut.forEach((volume, snapshot) -> {
            VolumeRef ref = toSnapshot.get(volume);
            try {
                SnapshotResult result = snapshot.awaitReady(timeout);
                log.info("Volume {} ({}/{}) snapshotted: {}", volume.pv(), volume.namespace(), volume.claim(), result.snapshotId());
                restorePoints.saveVolume(backupName, volume.record(ref.driver(), snapshotter.provider(), result.snapshotId(),
                        VolumeRecord.COMPLETED, null, result.details()));
            } catch (SnapshotException e) {
                failed(volume, ref, e.getMessage());
            }
        });
        return RepeatStatus.FINISHED;
    }

    /** The pod's pre hooks, in order; the cause when one that must not fail did (an invalid annotation included). */
    private String runPre(JsonNode pod, PodHooks declared, List<HookResult> results) {
        String name = pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name").asText();
        if (!declared.invalid().isEmpty()) {
            for (String problem : declared.invalid()) {
                results.add(HookRunner.logged(new HookResult(name, null, List.of(), "pre", HookResult.ERROR, -1, 0, "", problem, "Fail")));
            }
            return "invalid hook: " + declared.invalid().get(0);
        }
        for (ExecHook hook : declared.pre()) {
            HookResult result = HookRunner.logged(hooks.run(pod, hook, "pre"));
            results.add(result);
            if (result.stops()) {
                return result.describe();
            }
        }
        return null;
    }

    /** The group's pods as they are now; a pod gone or finished since the resources were read runs no hooks. */
    private List<JsonNode> runningPods() {
        List<JsonNode> running = new ArrayList<>();
        for (String key : pods) {
            String[] nsName = key.split("/", 2);
            cluster.get(KnownTypes.PODS, nsName[0], nsName[1]).map(p -> (JsonNode) Json.mapper().valueToTree(p))
                    .filter(p -> p.path("status").path("phase").asText("Running").equals("Running"))
                    .ifPresent(running::add);
        }
        return running;
    }

    /** The volume's reference when it can be snapshotted; otherwise its outcome is recorded and null returned. */
    private VolumeRef snapshottable(Volume volume) {
        String provider = snapshotter.provider();
        Optional<GenericKubernetesResource> object = cluster.get(KnownTypes.PERSISTENT_VOLUMES, null, volume.pv());
        if (object.isEmpty()) {
            restorePoints.saveVolume(backupName, volume.record(null, provider, null, VolumeRecord.FAILED,
                    "PersistentVolume " + volume.pv() + " not found", Map.of()));
            return null;
        }
        VolumeRef ref = VolumeRef.of(object.get(), volume.namespace(), volume.claim());
        if (!enabled) {
            restorePoints.saveVolume(backupName, volume.record(ref.driver(), provider, null, VolumeRecord.SKIPPED,
                    "snapshots disabled for this backup (--snapshot-volumes false)", Map.of()));
            return null;
        }
        Optional<String> unsupported = snapshotter.unsupportedReason(ref);
        if (unsupported.isPresent()) {
            restorePoints.saveVolume(backupName, volume.record(ref.driver(), provider, null, VolumeRecord.SKIPPED,
                    unsupported.get(), Map.of()));
            return null;
        }
        return ref;
    }

    private void failed(Volume volume, VolumeRef ref, String message) {
        log.warn("Volume {} ({}/{}) not snapshotted: {}", volume.pv(), volume.namespace(), volume.claim(), message);
        restorePoints.saveVolume(backupName, volume.record(ref.driver(), snapshotter.provider(), null, VolumeRecord.FAILED,
                message, Map.of()));
    }
}
