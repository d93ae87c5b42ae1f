package jobs.backup;

import java.time.Clock;
import java.util.List;
import jobs.store.Manifest;
import jobs.store.Manifest.ItemError;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.support.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Makes the job's outcome and the restore point agree, for a backup or an import: one that finished with item errors exits
 * PARTIALLY_FAILED, and a failed run marks its restore point Failed with the cause, so {@code describe} tells
 * why, and with the packs it had stored, so a purge's sweep keeps them. A Failed restore point is resumed by
 * launching the same name again.
 */
public class BackupOutcomeListener implements JobExecutionListener {

    static final String PARTIALLY_FAILED = "PARTIALLY_FAILED";
    private static final Logger log = LoggerFactory.getLogger(BackupOutcomeListener.class);

    private final RestorePoints restorePoints;
    private final JobRepository jobRepository;
    private final Clock clock;
    private final String packingStep;

    /** @param packingStep the job's {@link PackedItems} step, whose committed packs a failed run holds */
    public BackupOutcomeListener(RestorePoints restorePoints, JobRepository jobRepository, Clock clock, String packingStep) {
        this.restorePoints = restorePoints;
        this.jobRepository = jobRepository;
        this.clock = clock;
        this.packingStep = packingStep;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        String name = execution.getJobParameters().getString(BackupParameters.NAME);
        restorePoints.update(name, m -> m.phase() != Phase.InProgress ? m.resumed() : m);
    }

    @Override
    public void afterJob(JobExecution execution) {
        String name = execution.getJobParameters().getString(BackupParameters.NAME);
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            restorePoints.find(name).filter(m -> m.phase() == Phase.PartiallyFailed)
                    .ifPresent(m -> execution.setExitStatus(new ExitStatus(PARTIALLY_FAILED,
                            m.errors().size() + " item errors, " + m.volumes().stream().filter(v -> v.isFailed()).count()
                                    + " failed volumes")));
            return;
        }
        if (execution.getStatus() == BatchStatus.FAILED) {
            List<ItemError> causes = execution.getAllFailureExceptions().stream()
                    .map(e -> new ItemError(null, null, null, Failures.reason(e))).distinct().toList();
            try {
                List<Manifest.ChunkRef> held = PackRefs.committed(jobRepository, execution.getJobInstance(), packingStep).chunks();
                restorePoints.update(name, m -> m.failed(clock.instant(), causes).holding(held));
            } catch (RuntimeException e) {
                // Storage may be the very thing that failed; the job repository still records the failure.
                log.warn("Could not mark restore point {} Failed: {}", name, e.getMessage());
            }
        }
    }
}
