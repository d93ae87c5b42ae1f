package jobs.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jobs.hooks.HookResult;
import jobs.store.Phase;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import jobs.support.Json;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Last step: the restore record with counts per outcome, the problems, the hooks run, and the list of result blobs. */
class RestoreFinalizeTasklet implements Tasklet {

    private final RestoreRecords records;
    private final JobRepository jobRepository;
    private final Clock clock;
    private final String name;

    RestoreFinalizeTasklet(RestoreRecords records, JobRepository jobRepository, Clock clock, String name) {
        this.records = records;
        this.jobRepository = jobRepository;
        this.clock = clock;
        this.name = name;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution apply = jobRepository.getLastStepExecution(
                chunkContext.getStepContext().getStepExecution().getJobExecution().getJobInstance(), RestoreJobConfiguration.APPLY_STEP);
        ExecutionContext state = apply.getExecutionContext();
        Map<String, Long> counts = state.containsKey(RestoreWriter.COUNTS)
                ? Json.mapper().readValue(state.getString(RestoreWriter.COUNTS), new TypeReference<TreeMap<String, Long>>() { })
                : Map.of();
        List<RestoreRecord.ItemResult> problems = state.containsKey(RestoreWriter.PROBLEMS)
                ? RestoreWriter.readProblems(state.getString(RestoreWriter.PROBLEMS)) : List.of();
        List<String> results = new ArrayList<>();
        for (int i = 0; i < state.getInt(RestoreWriter.NEXT_RESULT, 0); i++) {
            results.add(String.format("results/%06d.jsonl.gz", i));
        }
        RestoreRecord.AccessReview access = null;
        if (state.containsKey(RestoreWriter.ACCESS)) {
            RestoreWriter.AccessAnswers answers = Json.mapper().readValue(state.getString(RestoreWriter.ACCESS),
                    RestoreWriter.AccessAnswers.class);
            access = new RestoreRecord.AccessReview(answers.allowed().size() + answers.denied().size(),
                    answers.denied().stream().map(Object::toString).toList());
        }
        StepExecution hooksStep = jobRepository.getLastStepExecution(
                chunkContext.getStepContext().getStepExecution().getJobExecution().getJobInstance(), RestoreJobConfiguration.HOOKS_STEP);
        List<HookResult> hooks = hooksStep == null || !hooksStep.getExecutionContext().containsKey(RestoreHooksTasklet.RESULTS) ? List.of()
                : Json.read(hooksStep.getExecutionContext().getString(RestoreHooksTasklet.RESULTS), new TypeReference<List<HookResult>>() { });
        RestoreRecord started = records.find(name).orElseThrow();
        Phase phase = counts.getOrDefault(Outcome.FAILED, 0L) > 0 || hooks.stream().anyMatch(HookResult::stops)
                ? Phase.PartiallyFailed : Phase.Completed;
        records.save(new RestoreRecord(name, started.backup(), phase, started.dryRun(), started.startedAt(), clock.instant(),
                started.cluster(), started.selection(), started.namespaceMapping(), started.existingResourcePolicy(),
                started.restoreVolumes(), counts, problems, results, access, hooks));
        return RepeatStatus.FINISHED;
    }
}
