package jobs.hooks;

import java.time.Duration;
import java.util.List;

/**
 * A command to run in a pod's container, without a shell.
 *
 * @param container the container, or null for the pod's first
 * @param command   the program and its arguments
 * @param onError   what a failure means
 * @param timeout   how long it may run
 * @param source    where it was declared, for messages: an annotation prefix or a configuration entry
 */
public record ExecHook(String container, List<String> command, OnError onError, Duration timeout, String source) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public ExecHook {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("a hook needs a command");
        }
        command = List.copyOf(command);
        onError = onError == null ? OnError.FAIL : onError;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a hook's timeout must be positive, got " + timeout);
        }
    }
}
