package jobs.kube;

import java.time.Duration;

/**
 * What a command run in a container did.
 *
 * @param exitCode   its exit code; -1 when it timed out or its end could not be learnt
 * @param stdout     the tail of its standard output (at most {@link #TAIL} bytes)
 * @param stderr     the tail of its standard error (at most {@link #TAIL} bytes)
 * @param timedOut   whether it had not ended within its timeout (it may still run in the container)
 * @param took       how long it ran, or until it timed out
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut, Duration took) {

    /** How much of each output is kept: enough for a message, not a log. */
    public static final int TAIL = 4096;

    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
