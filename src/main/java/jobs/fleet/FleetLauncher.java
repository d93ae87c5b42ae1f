package jobs.fleet;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import jobs.config.Fleet;
import jobs.config.KbackupProperties;
import jobs.run.RunRequest;
import jobs.run.Runs;
import jobs.support.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** Starts a fleet backup, or reruns the members of an earlier one of the same name that did not complete. */
@Component
public class FleetLauncher {

    private static final Logger log = LoggerFactory.getLogger(FleetLauncher.class);

    private final Runs runs;
    private final ObjectProvider<Job> fleetBackupJob;
    private final ObjectProvider<JobRepository> jobRepository;
    private final ObjectProvider<DataSource> dataSource;
    private final ObjectProvider<KubernetesClient> hub;
    private final Fleet.Workers workerSettings;

    FleetLauncher(Runs runs, @Qualifier("fleetBackupJob") ObjectProvider<Job> fleetBackupJob, ObjectProvider<JobRepository> jobRepository,
                  ObjectProvider<DataSource> dataSource, ObjectProvider<KubernetesClient> hub, KbackupProperties properties) {
        this.runs = runs;
        this.fleetBackupJob = fleetBackupJob;
        this.jobRepository = jobRepository;
        this.dataSource = dataSource;
        this.hub = hub;
        this.workerSettings = properties.fleet().kubernetes();
    }

    /** Runs the fleet backup to its end and returns the last execution. */
    public JobExecution launch(FleetParameters parameters) throws Exception {
        return runs.launch(new RunRequest(fleetBackupJob::getObject, parameters.toJobParameters(),
                FleetParameters.identifying(parameters.name()), "fleet backup '" + parameters.name() + "'", () -> {
                    if (parameters.selections().isEmpty()) {
                        throw new InvalidInputException("fleet backup: no members to back up");
                    }
                    if (parameters.runner() == Fleet.Runner.KUBERNETES) {
                        requireSharedRepository();
                        WorkerJobs workers = new WorkerJobs(hub.getObject(), workerSettings);
                        workers.check();
                        adoptRunningWorkers(parameters.name(), workers);
                    }
                }));
    }

    /** Worker pods write to the job repository from other nodes: only a database server can be shared with them. */
    private void requireSharedRepository() throws java.sql.SQLException {
        try (Connection connection = dataSource.getObject().getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName();
            if (!"PostgreSQL".equals(product)) {
                throw new InvalidInputException("--runner kubernetes: the worker pods need the job repository the manager uses, "
                        + "and this one is " + product + " (" + connection.getMetaData().getURL() + "), a file no pod can share; "
                        + "configure PostgreSQL (spring.datasource.url, k8s/postgres.yaml)");
            }
        }
    }

    /**
     * A relaunch after the manager died while its workers ran: their pods are waited for, not duplicated, so that what
     * they finish is recorded as theirs before the run is recovered and only the rest is run again.
     */
    private void adoptRunningWorkers(String name, WorkerJobs workers) throws InterruptedException {
        JobExecution last = jobRepository.getObject().getLastJobExecution(FleetJobConfiguration.JOB_NAME, FleetParameters.identifying(name));
        if (last == null || !last.getStatus().isRunning()) {
            return;
        }
        long instance = last.getJobInstance().getInstanceId();
        List<io.fabric8.kubernetes.api.model.batch.v1.Job> running = workers.unfinished(instance);
        if (!running.isEmpty()) {
            log.warn("Fleet backup {}: adopting the running worker Job(s) {} of execution {}; waiting for them", name,
                    running.stream().map(j -> j.getMetadata().getName()).toList(), last.getId());
        }
        while (!running.isEmpty()) {
            Thread.sleep(workerSettings.pollInterval().toMillis());
            running = workers.unfinished(instance);
        }
    }

    /**
     * Stops a fleet run: its members' running backups stop at their next commit, and the kubernetes runner's worker
     * Jobs are deleted (their pods stop on SIGTERM and record STOPPED). Works when the manager is gone too.
     */
    public void stop(JobExecution fleetRun) {
        String name = fleetRun.getJobParameters().getString(FleetParameters.NAME);
        for (JobExecution member : jobRepository.getObject().findRunningJobExecutions(jobs.backup.BackupJobConfiguration.JOB_NAME)) {
            if (member.getJobParameters().getString(Runs.CLUSTER) != null && name.equals(member.getJobParameters().getString("name"))) {
                runs.stop(member.getId());
            }
        }
        if ("kubernetes".equals(fleetRun.getJobParameters().getString(FleetParameters.RUNNER))) {
            new WorkerJobs(hub.getObject(), workerSettings).deleteAll(fleetRun.getJobInstance().getInstanceId());
        }
    }

    /**
     * Every member's outcome in the fleet run of {@code execution}: its partition in that execution, or, for a member
     * an earlier execution completed (a relaunch does not run it again), that one.
     */
    public List<MemberOutcome> outcomes(JobExecution execution) {
        List<String> members = List.copyOf(FleetParameters.selections(execution.getJobParameters()).keySet());
        List<MemberOutcome> outcomes = new ArrayList<>();
        for (String member : members) {
            StepExecution last = jobRepository.getObject().getLastStepExecution(execution.getJobInstance(),
                    FleetJobConfiguration.MEMBER_STEP + ":" + member);
            outcomes.add(last == null ? new MemberOutcome(member, "NOT_STARTED", null, 0, 0, null, "the run ended before this member started")
                    : MemberOutcome.of(last));
        }
        return outcomes;
    }
}
