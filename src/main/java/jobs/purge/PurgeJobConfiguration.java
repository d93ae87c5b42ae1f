package jobs.purge;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jobs.backup.AbandonedBackups;
import jobs.backup.BackupJobConfiguration;
import jobs.config.KbackupProperties;
import jobs.run.Runs;
import jobs.snapshot.Snapshotter;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.support.Json;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import jobs.support.JobDefaults;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The retention-purge job: one step that decides from storage (the source of truth) and deletes in a crash-safe
 * order. Its summary is kept in the step's execution context and exit description, for reports.
 */
@Configuration(proxyBeanMethods = false)
public class PurgeJobConfiguration {

    public static final String JOB_NAME = "purge";
    static final String STEP = "purge";
    public static final String SUMMARY = "purge.summary";

    @Bean
    Job purgeJob(JobRepository jobRepository, JobDefaults jobDefaults, Step purgeStep) {
        return jobDefaults.builder(JOB_NAME, jobRepository).start(purgeStep).build();
    }

    @Bean
    Step purgeStep(JobRepository jobRepository, PlatformTransactionManager tx, Tasklet purgeTasklet) {
        return new StepBuilder(STEP, jobRepository).tasklet(purgeTasklet, tx).build();
    }

    @Bean
    @StepScope
    Tasklet purgeTasklet(RestorePoints restorePoints, ReaderMarks readerMarks, Snapshotter snapshotter, Clock clock, KbackupProperties properties,
                         JobRepository jobRepository, AbandonedBackups abandonedBackups,
                         @Value("#{jobParameters['dryRun']}") String dryRun,
                         @Value("#{jobParameters['retention']}") String retention,
                         @Value("#{jobParameters['keepLast']}") String keepLast) {
        KbackupProperties.Policy policy = properties.policy();
        RetentionRules rules = new RetentionRules(policy.retention(), retention == null ? null : Duration.parse(retention),
                keepLast == null ? policy.keepLast() : Integer.parseInt(keepLast), policy.keepDaily(), policy.keepWeekly(),
                policy.keepMonthly());
        return (contribution, chunkContext) -> {
            boolean preview = Boolean.parseBoolean(dryRun);
            // A backup whose process died is not running, whatever the job repository says: a real purge marks it
            // Failed first, a dry run only leaves it out of the running ones.
            List<String> dead = preview ? abandonedBackups.find() : abandonedBackups.sweep();
            Set<String> running = runningBackups(jobRepository, properties.member());
            running.removeAll(dead);
            PurgeSummary summary = new Purger(restorePoints, readerMarks, snapshotter, clock).purge(rules, running, preview);
            var step = chunkContext.getStepContext().getStepExecution();
            step.getExecutionContext().putString(SUMMARY, Json.mapper().writeValueAsString(summary));
            step.setExitStatus(ExitStatus.COMPLETED.addExitDescription(summary.examined() + " examined, " + summary.deleted()
                    + " deleted, kept " + summary.keptByReason() + ", " + summary.bytesFreed() + " bytes and "
                    + summary.snapshotsDeleted() + " snapshots freed"));
            contribution.incrementWriteCount(summary.deleted());
            contribution.incrementReadCount();
            return RepeatStatus.FINISHED;
        };
    }

    /** Backups whose job is running now: their InProgress restore points are not touched. */
    private static Set<String> runningBackups(JobRepository jobRepository, String member) {
        Set<String> names = new HashSet<>();
        for (JobExecution e : jobRepository.findRunningJobExecutions(BackupJobConfiguration.JOB_NAME)) {
            if (Runs.isFor(e, member)) {
                names.add(e.getJobParameters().getString("name"));
            }
        }
        return names;
    }
}
