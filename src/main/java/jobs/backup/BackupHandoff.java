package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.Warning;
import jobs.support.Json;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.ExecutionContextPromotionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * What the backup job's steps hand each other, typed and in one place: {@code discover} gives the others the plan;
 * {@code resources} gives {@code volumes} the claims to snapshot and the pods whose hooks freeze them, and
 * {@code finalize} the problems met while listing (its packs go through {@link PackRefs}). Kept in the job
 * repository, so a restart reads what the earlier run's completed steps handed on. The key names are those runs
 * recorded before this class existed, so their restarts still read them.
 */
final class BackupHandoff {

    private static final String PLAN = "plan";
    private static final String CLAIMS = "filter.volumes";
    private static final String HOOK_PODS = "filter.hookPods";
    private static final String ERRORS = "reader.errors";
    private static final String WARNINGS = "reader.warnings";

    private BackupHandoff() {
    }

    static void plan(JobExecution job, BackupPlan plan) {
        job.getExecutionContext().putString(PLAN, plan.toJson());
    }

    /** The types discovery found to read, and the API groups it could not. */
    static BackupPlan plan(JobExecution job) {
        return BackupPlan.fromJson(job.getExecutionContext().getString(PLAN));
    }

    /** Saves, in the resources step's state, the claims selected with a bound volume, as {@code namespace/claim=pv}. */
    static void claims(ExecutionContext resources, Set<String> claims) {
        resources.putString(CLAIMS, Json.write(claims));
    }

    static TreeSet<String> claims(ExecutionContext context) {
        return context.containsKey(CLAIMS) ? Json.read(context.getString(CLAIMS), new TypeReference<TreeSet<String>>() { })
                : new TreeSet<>();
    }

    /** Saves, in the resources step's state, the running pods with backup hooks ({@code namespace/pod}) and their claims. */
    static void hookPods(ExecutionContext resources, Map<String, List<String>> hookPods) {
        resources.putString(HOOK_PODS, Json.write(hookPods));
    }

    static TreeMap<String, List<String>> hookPods(ExecutionContext context) {
        return context.containsKey(HOOK_PODS)
                ? Json.read(context.getString(HOOK_PODS), new TypeReference<TreeMap<String, List<String>>>() { }) : new TreeMap<>();
    }

    /** Copies the claims and hook pods from the resources step to the job when the step ends, for the volumes step. */
    static ExecutionContextPromotionListener volumesPromotion() {
        ExecutionContextPromotionListener listener = new ExecutionContextPromotionListener();
        listener.setKeys(new String[] {CLAIMS, HOOK_PODS});
        return listener;
    }

    /** Saves, in the resources step's state, the objects it could not read and the types it skipped. */
    static void problems(ExecutionContext resources, Problems problems) {
        resources.putString(ERRORS, Json.write(problems.errors()));
        resources.putString(WARNINGS, Json.write(problems.warnings()));
    }

    static Problems problems(ExecutionContext context) {
        return new Problems(
                context.containsKey(ERRORS) ? Json.read(context.getString(ERRORS), new TypeReference<ArrayList<ItemError>>() { }) : new ArrayList<>(),
                context.containsKey(WARNINGS) ? Json.read(context.getString(WARNINGS), new TypeReference<ArrayList<Warning>>() { }) : new ArrayList<>());
    }

    /** What the resources step met while listing, as its last execution (a resumed one included) saved it. */
    static Problems problems(JobRepository repository, JobExecution job) {
        StepExecution resources = repository.getLastStepExecution(job.getJobInstance(), BackupJobConfiguration.RESOURCES_STEP);
        return problems(resources == null ? new ExecutionContext() : resources.getExecutionContext());
    }

    /** Objects that could not be read, and types skipped with a warning; mutable, as the reader adds to them. */
    record Problems(List<ItemError> errors, List<Warning> warnings) {
    }
}
