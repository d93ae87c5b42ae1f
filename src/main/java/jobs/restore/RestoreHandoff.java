package jobs.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import jobs.hooks.HookCounts;
import jobs.hooks.HookResult;
import jobs.support.Json;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * What the restore job's steps hand each other, typed and in one place: {@code verify} gives {@code apply} the
 * cluster-scoped objects the selection needs; {@code apply} gives {@code hooks} the objects whose pods run hooks and
 * {@code finalize} its counts and problems; {@code hooks} gives {@code finalize} the hooks run. Read from the job
 * repository, so a relaunch reads what the earlier run's completed steps handed on.
 */
final class RestoreHandoff {

    private static final String NEEDED = "restore.needed";
    private static final String HOOK_RESULTS = "hooks.results";

    private RestoreHandoff() {
    }

    static void needed(JobExecution job, Set<String> needed) {
        job.getExecutionContext().putString(NEEDED, Json.write(needed));
    }

    /** What the selected objects need among cluster-scoped ones: PVs of claims, CRDs of custom resources. */
    static Set<String> needed(JobExecution job) {
        return job.getExecutionContext().containsKey(NEEDED)
                ? Json.read(job.getExecutionContext().getString(NEEDED), new TypeReference<TreeSet<String>>() { }) : new TreeSet<>();
    }

    /** The apply step's state once it ended (its last execution, a resumed one included). */
    static RestoreWriter.State applied(JobRepository repository, JobExecution job) {
        StepExecution apply = repository.getLastStepExecution(job.getJobInstance(), RestoreJobConfiguration.APPLY_STEP);
        return RestoreWriter.State.of(apply == null ? new ExecutionContext()
                : apply.getExecutionContext());
    }

    static void hookResults(StepExecution hooksStep, List<HookResult> results) {
        hooksStep.getExecutionContext().putString(HOOK_RESULTS, Json.write(results));
        HookCounts.add(hooksStep.getExecutionContext(), results);
    }

    static List<HookResult> hookResults(JobRepository repository, JobExecution job) {
        StepExecution hooks = repository.getLastStepExecution(job.getJobInstance(), RestoreJobConfiguration.HOOKS_STEP);
        return hooks == null || !hooks.getExecutionContext().containsKey(HOOK_RESULTS) ? List.of()
                : Json.read(hooks.getExecutionContext().getString(HOOK_RESULTS), new TypeReference<List<HookResult>>() { });
    }
}
