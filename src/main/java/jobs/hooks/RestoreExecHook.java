package jobs.hooks;

import java.time.Duration;

/**
 * A command run in a restored pod once its container runs, or is ready.
 *
 * @param exec         the command, its container, on-error and exec timeout
 * @param waitTimeout  how long to wait for the pod and its container, never forever
 * @param waitForReady wait until the container is ready, not only running
 */
public record RestoreExecHook(ExecHook exec, Duration waitTimeout, boolean waitForReady) {

    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);

    public RestoreExecHook {
        waitTimeout = waitTimeout == null ? DEFAULT_WAIT : waitTimeout;
        if (waitTimeout.isNegative() || waitTimeout.isZero()) {
            throw new IllegalArgumentException("a hook's wait timeout must be positive, got " + waitTimeout);
        }
    }

    /** For a dry run's plan: "[psql, -c, ...] in db once ready (wait 10m)". */
    public String describe() {
        return exec.command() + (exec.container() == null ? "" : " in " + exec.container()) + " once "
                + (waitForReady ? "ready" : "running") + " (wait " + GoDuration.format(waitTimeout) + ", on-error " + exec.onError() + ")";
    }
}
