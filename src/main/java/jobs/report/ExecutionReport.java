package jobs.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One job execution as reports show it.
 *
 * @param job             backup, restore or purge
 * @param id              execution id (for {@code restart ID} and {@code stop ID})
 * @param parameters      identifying and other parameters, as key=value
 * @param status          batch status
 * @param exitCode        exit code (COMPLETED, PARTIALLY_FAILED, FAILED, ...)
 * @param exitDescription why, for failures
 * @param start           start time
 * @param end             end time, null while running
 * @param durationSeconds wall time
 * @param objects         objects written by the run's steps (stored, applied or deleted)
 * @param steps           per-step counts
 * @param hooks           hooks run (backup hooks in the volumes step, post-restore hooks)
 * @param hooksFailed     of those, how many did not succeed
 */
public record ExecutionReport(String job, long id, String parameters, String status, String exitCode, String exitDescription,
                              Instant start, Instant end, double durationSeconds, long objects, List<StepReport> steps,
                              long hooks, long hooksFailed) {

    boolean failed() {
        return status.equals("FAILED") || exitCode.equals("FAILED") || exitCode.equals("PARTIALLY_FAILED");
    }

    /**
     * Counts of one step.
     *
     * @param name    step name
     * @param status  batch status
     * @param read    items read
     * @param write   items written
     * @param skip    items skipped
     * @param commits commits
     */
    public record StepReport(String name, String status, long read, long write, long skip, long commits) {
    }

    static double seconds(Instant start, Instant end) {
        return start == null ? 0 : Duration.between(start, end == null ? Instant.now() : end).toMillis() / 1000.0;
    }
}
