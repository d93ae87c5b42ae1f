package jobs.backup;

import jobs.config.KbackupProperties;
import jobs.kube.Cluster;
import jobs.hooks.BackupHookRules;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.InvalidInputException;
import jobs.run.RunRequest;
import jobs.run.Runs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Starts a backup, or resumes the earlier run of the same name. Everything that can be refused is checked before
 * the job starts, so a refused launch writes nothing; a check that fails for another reason (storage or the API
 * server unreachable) is recorded as a failed run.
 */
@Component
public class BackupLauncher {

    private static final Logger log = LoggerFactory.getLogger(BackupLauncher.class);

    private final RestorePoints restorePoints;
    private final Cluster cluster;
    private final Runs runs;
    private final AbandonedBackups abandoned;
    private final ObjectProvider<Job> backupJob;
    private final ObjectProvider<BackupHookRules> hookRules;
    private final KbackupProperties properties;

    BackupLauncher(RestorePoints restorePoints, Cluster cluster, Runs runs, AbandonedBackups abandoned,
                   @Qualifier("backupJob") ObjectProvider<Job> backupJob, ObjectProvider<BackupHookRules> hookRules,
                   KbackupProperties properties) {
        this.properties = properties;
        this.restorePoints = restorePoints;
        this.cluster = cluster;
        this.runs = runs;
        this.abandoned = abandoned;
        this.backupJob = backupJob;
        this.hookRules = hookRules;
    }

    /** Runs the backup to its end and returns the last execution. */
    public JobExecution launch(BackupParameters parameters) throws Exception {
        String name = parameters.name();
        String member = properties.member();
        return runs.launch(new RunRequest(backupJob::getObject, Runs.forMember(parameters.toJobParameters(), member),
                Runs.forMember(BackupParameters.identifying(name), member),
                member == null ? "backup '" + name + "'" : "backup '" + name + "' of " + member, () -> preflight(parameters)));
    }

    private void preflight(BackupParameters parameters) {
        hookRules.getObject(); // bad hook configuration is refused now, naming the key, not half way through
        String name = parameters.name();
        Manifest existing = restorePoints.find(name).orElse(null);
        if (existing != null && existing.phase().isFinished()) {
            throw new InvalidInputException("restore point '" + name + "' already exists and is " + existing.phase()
                    + "; choose another --name");
        }
        // Resolves the resource names against the cluster: an unknown one is refused here, before any write.
        BackupPlan.of(cluster.discover(), parameters.selection());

        // Every check has passed: from here on the launch writes, and first tidies up after dead backups.
        abandoned.sweep();
        if (existing != null && !existing.selection().equals(parameters.selection())) {
            log.warn("Resuming backup {} with the selection it started with; the options given now are ignored", name);
        }
    }
}
