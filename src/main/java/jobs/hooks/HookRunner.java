package jobs.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs exec hooks in pods through the cluster port ({@code pods/exec}) and turns each run into a {@link HookResult}. */
public final class HookRunner {

    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

    private final Cluster cluster;

    public HookRunner(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Runs one hook in a pod; never throws for what the hook or the server did, so a post hook always gets its turn.
     *
     * @param pod   the pod as the API server served it (its first container is the default)
     * @param phase pre or post
     */
    /** What the API server would refuse, said plainly (its refusal of an exec upgrade carries only a status code). */
    private static String refusal(JsonNode pod, String container) {
        String phase = pod.path("status").path("phase").asText("Running");
        if (!phase.equals("Running")) {
            return "pod is " + phase + ", not Running";
        }
        for (JsonNode c : pod.path("spec").path("containers")) {
            if (c.path("name").asText().equals(container)) {
                return null;
            }
        }
        return "the pod has no container '" + container + "'";
    }

    /** Logs a run as the jobs report it: what ran and how long on success, the failure and its cause otherwise. */
    public static HookResult logged(HookResult result) {
        if (result.succeeded()) {
            log.info("{} in {} ms", result.describe(), result.millis());
        } else {
            log.warn(result.describe());
        }
        return result;
    }

    public HookResult run(JsonNode pod, ExecHook hook, String phase) {
        String namespace = pod.path("metadata").path("namespace").asText();
        String name = namespace + "/" + pod.path("metadata").path("name").asText();
        String container = hook.container() != null ? hook.container()
                : pod.path("spec").path("containers").path(0).path("name").asText("");
        String refused = refusal(pod, container);
        if (refused != null) {
            return new HookResult(name, container, hook.command(), phase, HookResult.ERROR, -1, 0, "", refused,
                    hook.onError().toString());
        }
        try {
            ExecResult result = cluster.exec(namespace, pod.path("metadata").path("name").asText(), container, hook.command(),
                    hook.timeout());
            String outcome = result.timedOut() ? HookResult.TIMED_OUT
                    : result.exitCode() == 0 ? HookResult.SUCCEEDED : HookResult.FAILED;
            return new HookResult(name, container, hook.command(), phase, outcome, result.exitCode(), result.took().toMillis(),
                    result.stdout(), result.stderr(), hook.onError().toString());
        } catch (ClusterAccessException e) {
            return new HookResult(name, container, hook.command(), phase, HookResult.ERROR, -1, 0, "", e.getMessage(),
                    hook.onError().toString());
        }
    }
}
