package jobs.backup;

import jobs.kube.Cluster;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.InvalidInputException;
import jobs.support.RunOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Starts a backup, or resumes the earlier run of the same name. Everything that can be refused is checked before
 * the job starts, so a refused launch writes nothing.
 */
@Component
public class BackupLauncher {

    private static final Logger log = LoggerFactory.getLogger(BackupLauncher.class);

    private final RestorePoints restorePoints;
    private final Cluster cluster;
    // The job repository is only opened once the launch is accepted: a refused launch must not create it.
    private final ObjectProvider<JobOperator> jobOperator;
    private final ObjectProvider<RunOwner> runOwner;
    private final ObjectProvider<JobRepository> jobRepository;
    private final ObjectProvider<Job> backupJob;

    BackupLauncher(RestorePoints restorePoints, Cluster cluster, ObjectProvider<JobOperator> jobOperator, ObjectProvider<RunOwner> runOwner,
                   ObjectProvider<JobRepository> jobRepository, @Qualifier("backupJob") ObjectProvider<Job> backupJob) {
        this.restorePoints = restorePoints;
        this.cluster = cluster;
        this.jobOperator = jobOperator;
        this.runOwner = runOwner;
        this.jobRepository = jobRepository;
        this.backupJob = backupJob;
    }

    /** Runs the backup to its end and returns the last execution. */
    public JobExecution launch(BackupParameters parameters) throws Exception {
        String name = parameters.name();
        Manifest existing = restorePoints.find(name).orElse(null);
        if (existing != null && existing.phase().isFinished()) {
            throw new InvalidInputException("restore point '" + name + "' already exists and is " + existing.phase()
                    + "; choose another --name");
        }
        // Resolves the resource names against the cluster: an unknown one is refused here, before any write.
        BackupPlan.of(cluster.discover(), parameters.selection());

        JobOperator jobOperator = this.jobOperator.getObject();
        JobExecution last = jobRepository.getObject().getLastJobExecution(BackupJobConfiguration.JOB_NAME,
                BackupParameters.identifying(name));
        if (last == null) {
            return jobOperator.start(backupJob.getObject(), parameters.toJobParameters());
        }
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw new InvalidInputException("backup '" + name + "' already completed (job execution " + last.getId() + ")");
        }
        if (last.getStatus().isRunning()) {
            runOwner.getObject().refuseIfAlive(last, "backup '" + name + "'");
            // Left STARTED by a process that was killed: mark it failed so it can be restarted.
            log.warn("Execution {} of backup {} was left {}; recovering it", last.getId(), name, last.getStatus());
            last = jobOperator.recover(last);
        }
        if (existing != null && !existing.selection().equals(parameters.selection())) {
            log.warn("Resuming backup {} with the selection it started with; the options given now are ignored", name);
        }
        log.info("Resuming backup {} from execution {}", name, last.getId());
        return jobOperator.restart(last);
    }
}
