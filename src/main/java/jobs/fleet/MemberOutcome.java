package jobs.fleet;

import java.util.stream.Collectors;
import jobs.store.Manifest;
import jobs.support.Failures;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * How one member's partition of a fleet backup ended, from its step execution: what the fleet command prints and
 * what tells a relaunch which members are left.
 *
 * @param member          the member
 * @param status          the partition's status: COMPLETED, FAILED, STOPPED, or STARTED while it runs
 * @param phase           its restore point's phase, null when none was written
 * @param items           objects in its restore point
 * @param volumes         volume records in it
 * @param backupExecution the member's backup job execution, null when it did not start
 * @param reason          why it did not complete (or what it warns), null otherwise
 */
public record MemberOutcome(String member, String status, String phase, long items, int volumes, Long backupExecution,
                            String reason) {

    static final String PARTIALLY_FAILED = "PARTIALLY_FAILED";
    private static final String PHASE = "fleet.phase";
    private static final String ITEMS = "fleet.items";
    private static final String VOLUMES = "fleet.volumes";
    private static final String EXECUTION = "fleet.backupExecution";
    private static final String REASON = "fleet.reason";

    public boolean completed() {
        return "COMPLETED".equals(status);
    }

    static void record(StepExecution step, Long backupExecution, Manifest manifest) {
        ExecutionContext context = step.getExecutionContext();
        if (backupExecution != null) {
            context.putLong(EXECUTION, backupExecution);
        }
        if (manifest != null) {
            context.putString(PHASE, manifest.phase().name());
            context.putLong(ITEMS, manifest.itemCount());
            context.putInt(VOLUMES, manifest.volumes().size());
        }
    }

    /** Records why the member's partition failed, and returns the exception that fails it. */
    static MemberFailedException failed(StepExecution step, String reason) {
        step.getExecutionContext().putString(REASON, reason);
        return new MemberFailedException(step.getExecutionContext().getString(MemberPartitioner.MEMBER) + ": " + reason);
    }

    /** A member's backup that did not complete. */
    static final class MemberFailedException extends RuntimeException {

        MemberFailedException(String message) {
            super(message);
        }
    }

    static MemberOutcome of(StepExecution step) {
        ExecutionContext context = step.getExecutionContext();
        String member = context.containsKey(MemberPartitioner.MEMBER) ? context.getString(MemberPartitioner.MEMBER)
                : step.getStepName().substring(step.getStepName().indexOf(':') + 1);
        String reason = context.containsKey(REASON) ? context.getString(REASON)
                : !step.getFailureExceptions().isEmpty() ? step.getFailureExceptions().stream().map(Failures::reason).distinct()
                .collect(Collectors.joining("; "))
                : firstLine(step.getExitStatus().getExitDescription());
        return new MemberOutcome(member, step.getStatus().name(), context.containsKey(PHASE) ? context.getString(PHASE) : null,
                context.containsKey(ITEMS) ? context.getLong(ITEMS) : 0, context.containsKey(VOLUMES) ? context.getInt(VOLUMES) : 0,
                context.containsKey(EXECUTION) ? context.getLong(EXECUTION) : null, step.getStatus().name().equals("COMPLETED")
                        && !PARTIALLY_FAILED.equals(step.getExitStatus().getExitCode()) ? null : reason);
    }

    private static String firstLine(String s) {
        return s == null || s.isBlank() ? null : s.lines().findFirst().orElse(s);
    }
}
