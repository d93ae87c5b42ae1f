package jobs.restore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jobs.hooks.HookResult;
import jobs.store.Phase;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
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
        JobExecution job = chunkContext.getStepContext().getStepExecution().getJobExecution();
        RestoreWriter.State applied = RestoreHandoff.applied(jobRepository, job);
        Map<String, Long> counts = applied.counts();
        List<String> results = new ArrayList<>();
        for (int i = 0; i < applied.nextResult(); i++) {
            results.add(String.format("results/%06d.jsonl.gz", i));
        }
        RestoreRecord.AccessReview access = applied.access() == null ? null
                : new RestoreRecord.AccessReview(applied.access().allowed().size() + applied.access().denied().size(),
                        applied.access().denied().stream().map(Object::toString).toList());
        List<HookResult> hooks = RestoreHandoff.hookResults(jobRepository, job);
        RestoreRecord started = records.find(name).orElseThrow();
        Phase phase = counts.getOrDefault(Outcome.FAILED, 0L) > 0 || hooks.stream().anyMatch(HookResult::stops)
                ? Phase.PartiallyFailed : Phase.Completed;
        records.save(new RestoreRecord(name, started.backup(), phase, started.dryRun(), started.startedAt(), clock.instant(),
                started.cluster(), started.selection(), started.namespaceMapping(), started.existingResourcePolicy(),
                started.restoreVolumes(), counts, applied.problems(), results, access, hooks));
        return RepeatStatus.FINISHED;
    }
}
