package jobs.restore;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import jobs.hooks.HookResult;
import jobs.kube.Cluster;
import jobs.store.Phase;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import jobs.support.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/** Keeps the restore record and the job's exit status in step: InProgress while running, then the outcome. */
class RestoreOutcomeListener implements JobExecutionListener {

    static final String PARTIALLY_FAILED = "PARTIALLY_FAILED";
    private static final Logger log = LoggerFactory.getLogger(RestoreOutcomeListener.class);

    private final RestoreRecords records;
    private final Cluster cluster;
    private final Clock clock;

    RestoreOutcomeListener(RestoreRecords records, Cluster cluster, Clock clock) {
        this.records = records;
        this.cluster = cluster;
        this.clock = clock;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        RestoreParameters p = RestoreParameters.of(execution.getJobParameters());
        RestoreRecord existing = records.find(p.name()).orElse(null);
        records.save(new RestoreRecord(p.name(), p.backup(), Phase.InProgress, p.dryRun(),
                existing != null ? existing.startedAt() : clock.instant(), null, cluster.server(), p.selection(),
                p.namespaceMapping(), p.policy().name().toLowerCase(), p.restoreVolumes(), Map.of(), List.of(), List.of(), null, List.of()));
    }

    @Override
    public void afterJob(JobExecution execution) {
        String name = execution.getJobParameters().getString(RestoreParameters.NAME);
        RestoreRecord record = records.find(name).orElse(null);
        if (record == null) {
            return;
        }
        if (execution.getStatus() == BatchStatus.COMPLETED && record.phase() == Phase.PartiallyFailed) {
            execution.setExitStatus(new ExitStatus(PARTIALLY_FAILED, record.counts().getOrDefault(Outcome.FAILED, 0L) + " items failed, "
                    + record.hooks().stream().filter(HookResult::stops).count() + " hooks failed"));
        } else if (execution.getStatus() == BatchStatus.FAILED) {
            List<RestoreRecord.ItemResult> causes = execution.getAllFailureExceptions().stream()
                    .map(e -> new RestoreRecord.ItemResult(null, null, null, Outcome.FAILED, Failures.reason(e))).distinct().toList();
            try {
                records.save(new RestoreRecord(name, record.backup(), Phase.Failed, record.dryRun(), record.startedAt(),
                        clock.instant(), record.cluster(), record.selection(), record.namespaceMapping(),
                        record.existingResourcePolicy(), record.restoreVolumes(), record.counts(), causes, record.results(), record.accessReview(),
                        record.hooks()));
            } catch (RuntimeException e) {
                log.warn("Could not mark restore {} Failed: {}", name, e.getMessage());
            }
        }
    }
}
