package jobs.hooks;

import java.util.List;

/**
 * One hook run, as the restore point records it.
 *
 * @param pod        namespace/name
 * @param container  the container it ran in
 * @param command    the command
 * @param phase      pre or post
 * @param outcome    Succeeded, Failed (non-zero exit), TimedOut, or Error (it could not be run: refused, invalid)
 * @param exitCode   the exit code, -1 when there is none
 * @param millis     how long it ran
 * @param stdout     the tail of its output
 * @param stderr     the tail of its error output, or why it could not run
 * @param onError    Fail or Continue
 */
public record HookResult(String pod, String container, List<String> command, String phase, String outcome, int exitCode,
                         long millis, String stdout, String stderr, String onError) {

    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String TIMED_OUT = "TimedOut";
    public static final String ERROR = "Error";

    public HookResult {
        command = command == null ? List.of() : List.copyOf(command);
    }

    public boolean succeeded() {
        return SUCCEEDED.equals(outcome);
    }

    /** Whether this failure stops what the hook guards: it failed and was declared with on-error Fail. */
    public boolean stops() {
        return !succeeded() && OnError.FAIL.toString().equals(onError);
    }

    /** For a volume or backup message: "pre hook of shop/db failed: exit 2: <stderr tail>". */
    public String describe() {
        String cause = switch (outcome) {
            case SUCCEEDED -> "succeeded";
            case TIMED_OUT -> "timed out after " + millis + " ms";
            case ERROR -> "could not run: " + stderr;
            default -> "exit " + exitCode + (stderr == null || stderr.isBlank() ? "" : ": " + lastLines(stderr));
        };
        return phase + " hook " + command + " in " + pod + "/" + container + " " + (succeeded() ? cause : "failed: " + cause);
    }

    /** One line of a listing: phase, pod/container, outcome, duration, and what happened. */
    public String row() {
        return String.format("%-12s %-40s %-10s %6d ms  %s", phase, pod + (container == null ? "" : "/" + container), outcome,
                millis, describe());
    }

    private static String lastLines(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 300 ? trimmed : "..." + trimmed.substring(trimmed.length() - 300);
    }
}
