package jobs.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jobs.hooks.GoDuration;
import jobs.hooks.HookResult;
import jobs.hooks.HookRunner;
import jobs.hooks.OnError;
import jobs.hooks.RestoreExecHook;
import jobs.kube.AwaitTimeoutException;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.KnownTypes;
import jobs.store.RestoreRecords;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The post-restore exec hooks: for each restored pod, and each pod the controllers of a restored workload create,
 * waits until the hook's container runs (or is ready, with wait-for-ready), never longer than its wait timeout, then
 * runs the hooks in order; one failing with on-error Fail stops that pod's further hooks and makes the restore
 * PartiallyFailed. Targets are handled several at once. Each pod's results are stored as soon as its hooks ended, so a
 * relaunch runs no pod's hooks twice.
 */
class RestoreHooksTasklet implements Tasklet {

    static final String PHASE = "post-restore";
    private static final Logger log = LoggerFactory.getLogger(RestoreHooksTasklet.class);

    private final Cluster cluster;
    private final HookRunner runner;
    private final WorkloadPods workloads;
    private final RestoreRecords records;
    private final String restore;
    private final List<HookTarget> targets;
    private final Clock clock;
    private final int parallelism;

    RestoreHooksTasklet(Cluster cluster, RestoreRecords records, String restore, List<HookTarget> targets, Clock clock,
                        int parallelism) {
        this.cluster = cluster;
        this.runner = new HookRunner(cluster);
        this.workloads = new WorkloadPods(cluster, clock);
        this.records = records;
        this.restore = restore;
        this.targets = targets;
        this.clock = clock;
        this.parallelism = parallelism;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        List<HookResult> results = new ArrayList<>();
        if (!targets.isEmpty()) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, targets.size()), r -> {
                Thread t = new Thread(r, "restore-hooks");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<List<HookResult>>> futures = new ArrayList<>();
                for (HookTarget target : targets) {
                    futures.add(pool.submit(() -> run(target)));
                }
                for (Future<List<HookResult>> f : futures) {
                    try {
                        results.addAll(f.get());
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        RestoreHandoff.hookResults(chunkContext.getStepContext().getStepExecution(), results);
        if (!targets.isEmpty()) {
            log.info("Restore {}: {} post-restore hooks run in the pods of {} objects, {} did not succeed", restore, results.size(),
                    targets.size(), results.stream().filter(r -> !r.succeeded()).count());
        }
        return RepeatStatus.FINISHED;
    }

    private List<HookResult> run(HookTarget target) throws InterruptedException {
        if (!target.invalid().isEmpty()) {
            return target.invalid().stream().map(problem -> new HookResult(target.namespace() + "/" + target.name(), null, List.of(),
                    PHASE, HookResult.ERROR, -1, 0, "", "invalid hook: " + problem, OnError.FAIL.toString())).toList();
        }
        Instant start = clock.instant();
        Duration longest = target.hooks().stream().map(RestoreExecHook::waitTimeout).max(Duration::compareTo).orElseThrow();
        List<HookResult> results = new ArrayList<>();
        WorkloadPods.Found found = workloads.forEachPod(target, start.plus(longest), pod -> results.addAll(runPod(target, pod, start)));
        if (!found.complete()) {
            RestoreExecHook first = target.hooks().get(0);
            results.add(HookRunner.logged(new HookResult(target.namespace() + "/" + target.name(), first.exec().container(), first.exec().command(),
                    PHASE, HookResult.TIMED_OUT, -1, Duration.between(start, clock.instant()).toMillis(), "",
                    "waited " + GoDuration.format(longest) + " for the pods of " + target.describe() + ": " + found.pods().size() + " of "
                            + found.expected() + " appeared", first.exec().onError().toString())));
        }
        return results;
    }

    /** One pod's hooks, or what a killed run already stored for it. */
    private List<HookResult> runPod(HookTarget target, String pod, Instant start) {
        String blob = "hooks/" + target.namespace() + "/" + pod + ".json";
        Optional<byte[]> done = records.getBlob(restore, blob);
        if (done.isPresent()) {
            return Json.read(new String(done.get(), StandardCharsets.UTF_8), new TypeReference<List<HookResult>>() { });
        }
        List<HookResult> results = new ArrayList<>();
        for (RestoreExecHook hook : target.hooks()) {
            HookResult result = HookRunner.logged(runOne(target.namespace(), pod, hook, start));
            results.add(result);
            if (result.stops()) {
                break;
            }
        }
        records.putBlob(restore, blob, Json.write(results).getBytes(StandardCharsets.UTF_8), Map.of());
        return results;
    }

    private HookResult runOne(String namespace, String pod, RestoreExecHook hook, Instant start) {
        String name = namespace + "/" + pod;
        Duration wait = Duration.between(clock.instant(), start.plus(hook.waitTimeout()));
        String state = hook.waitForReady() ? "ready" : "running";
        try {
            Optional<GenericKubernetesResource> now = cluster.await(KnownTypes.PODS, namespace, pod,
                    p -> p == null || terminal(p) || started(p, hook), wait.isNegative() ? Duration.ofMillis(1) : wait);
            if (now.isEmpty() || terminal(now.get())) {
                return failure(name, hook, HookResult.ERROR, "pod " + (now.isEmpty() ? "is gone" : "ended") + " before its hook ran");
            }
            JsonNode json = Json.mapper().valueToTree(now.get());
            return runner.run(json, hook.exec(), PHASE);
        } catch (AwaitTimeoutException e) {
            JsonNode current = cluster.get(KnownTypes.PODS, namespace, pod).map(p -> (JsonNode) Json.mapper().valueToTree(p)).orElse(null);
            return failure(name, hook, HookResult.TIMED_OUT, "container " + container(hook, current) + " was not " + state
                    + " within the wait timeout " + GoDuration.format(hook.waitTimeout()));
        } catch (ClusterAccessException e) {
            return failure(name, hook, HookResult.ERROR, e.getMessage());
        }
    }

    private static HookResult failure(String pod, RestoreExecHook hook, String outcome, String why) {
        return new HookResult(pod, hook.exec().container(), hook.exec().command(), PHASE, outcome, -1, 0, "", why,
                hook.exec().onError().toString());
    }

    private static boolean terminal(GenericKubernetesResource pod) {
        String phase = String.valueOf(Json.mapper().valueToTree(pod).path("status").path("phase").asText(""));
        return phase.equals("Succeeded") || phase.equals("Failed");
    }

    /** Whether the hook's container runs (and, with wait-for-ready, is ready). */
    private static boolean started(GenericKubernetesResource pod, RestoreExecHook hook) {
        JsonNode json = Json.mapper().valueToTree(pod);
        String container = container(hook, json);
        for (JsonNode status : json.path("status").path("containerStatuses")) {
            if (status.path("name").asText().equals(container)) {
                return status.path("state").has("running") && (!hook.waitForReady() || status.path("ready").asBoolean(false));
            }
        }
        return false;
    }

    private static String container(RestoreExecHook hook, JsonNode pod) {
        if (hook.exec().container() != null) {
            return hook.exec().container();
        }
        return pod == null ? "(the first)" : pod.path("spec").path("containers").path(0).path("name").asText();
    }
}
