package jobs.fleet;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.backup.BackupLauncher;
import jobs.backup.BackupParameters;
import jobs.filter.Selection;
import jobs.config.KbackupProperties;
import jobs.run.Runs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.support.Failures;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One member's partition: the member's single-cluster backup, run in its own context and recorded as its own job
 * execution, so that it resumes its restore point when the fleet run is launched again. Like Spring Batch's
 * {@code JobStep}, it runs outside a transaction (a job launched inside one is refused, and a pooled connection
 * held for minutes would bound the parallelism). The partition fails when the member's backup does, with its cause,
 * and never stops the other members'.
 */
class MemberBackupStep extends AbstractStep {

    private static final Logger log = LoggerFactory.getLogger(MemberBackupStep.class);

    private final MemberContexts contexts;

    MemberBackupStep(String name, JobRepository jobRepository, MemberContexts contexts) {
        super(jobRepository);
        setName(name);
        this.contexts = contexts;
    }

    @Override
    protected void doExecute(StepExecution step) throws Exception {
        String member = step.getExecutionContext().getString(MemberPartitioner.MEMBER);
        JobParameters parameters = step.getJobParameters();
        String name = parameters.getString(FleetParameters.NAME);
        Map<String, Selection> selections = FleetParameters.selections(parameters);
        String ttl = parameters.getString(FleetParameters.TTL);
        BackupParameters backup = new BackupParameters(name, selections.get(member), ttl == null ? null : Duration.parse(ttl),
                !"false".equals(parameters.getString(FleetParameters.SNAPSHOT_VOLUMES)));
        try (ConfigurableApplicationContext context = contexts.open(member)) {
            RestorePoints restorePoints = context.getBean(RestorePoints.class);
            Manifest done = restorePoints.find(name).filter(m -> m.phase().isFinished() && m.phase() != Phase.Failed).orElse(null);
            if (done != null) {
                // Its backup ended after the partition's last record (a worker or manager gone at that moment).
                MemberOutcome.record(step, null, done);
                finish(step, done);
                return;
            }
            JobExecution execution = launch(context, backup, member);
            Manifest manifest = restorePoints.find(name).orElse(null);
            MemberOutcome.record(step, execution.getId(), manifest);
            if (execution.getStatus() == BatchStatus.STOPPED || execution.getStatus() == BatchStatus.STOPPING) {
                throw new JobInterruptedException("backup " + name + " of " + member + " stopped", BatchStatus.STOPPED);
            }
            if (execution.getStatus() != BatchStatus.COMPLETED) {
                throw MemberOutcome.failed(step, "backup " + name + " " + execution.getStatus() + ": "
                        + execution.getAllFailureExceptions().stream().map(Failures::reason).distinct().collect(Collectors.joining("; ")));
            }
            finish(step, manifest);
        } catch (MemberOutcome.MemberFailedException | JobInterruptedException e) {
            throw e;
        } catch (Runs.NotStartedException e) {
            // Recorded as the member's failed backup run already: its report lists it there.
            MemberOutcome.record(step, e.execution(), null);
            throw MemberOutcome.failed(step, Failures.reason(e));
        } catch (Exception e) {
            throw MemberOutcome.failed(step, Failures.reason(e));
        }
    }

    /**
     * Launches the member's backup. A retried worker pod usually starts before the Lease of the pod it replaces has
     * expired (Kubernetes retries within seconds; a Lease holds for {@code kbackup.run.lease-duration}): the run still
     * looks alive, so the launch waits for the Lease to run out rather than fail the index.
     */
    private static JobExecution launch(ConfigurableApplicationContext context, BackupParameters backup, String member) throws Exception {
        Duration patience = context.getBean(KbackupProperties.class).run().leaseDuration().multipliedBy(2);
        long deadline = System.nanoTime() + patience.toNanos();
        for (int attempt = 0; ; attempt++) {
            try {
                return context.getBean(BackupLauncher.class).launch(backup);
            } catch (Runs.AlreadyRunningException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                if (attempt == 0) {
                    log.info("{}: {}; waiting up to {} for its owner's Lease to expire", member, e.getMessage(), patience);
                }
                Thread.sleep(1000);
            }
        }
    }

    private static void finish(StepExecution step, Manifest manifest) {
        step.setWriteCount(manifest == null ? 0 : manifest.itemCount());
        if (manifest != null && manifest.phase() == Phase.PartiallyFailed) {
            step.setExitStatus(new ExitStatus(MemberOutcome.PARTIALLY_FAILED, manifest.errors().size() + " errors"));
        }
    }
}
