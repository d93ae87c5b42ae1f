package jobs.run;

import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jobs.support.Failures;
import jobs.support.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;

/**
 * The run lifecycle, in one place: every job is launched, resumed, restarted, stopped and recovered through here,
 * and every job listens to it (as a {@link JobExecutionListener}) for its ownership and its graceful stop.
 * <ul>
 *   <li>A launch first runs its preflight checks. Bad input is refused and writes nothing; any other failure
 *       (storage or API server unreachable, a setting found wrong late) is recorded as a FAILED execution with its
 *       cause, so {@code report} shows it and {@code restart ID} retries it.</li>
 *   <li>A launch of a name that ran before resumes it: a completed one is refused, a live one is refused, one left
 *       STARTED by a dead owner is recovered, and a failed or stopped one is restarted where it stopped.</li>
 *   <li>Who owns a run, and whether it is alive, is {@link RunOwner}'s: a Lease in a pod, the process elsewhere.</li>
 * </ul>
 */
@Component
public class Runs implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(Runs.class);
    /** The exit description of a run whose process died without a trace: a pod killed outright, a node lost. */
    public static final String ABANDONED = "abandoned: owner gone";
    /** How the exit description of a run that failed in its preflight checks begins. */
    public static final String NOT_STARTED = "failed before the job started: ";
    /** The identifying parameter naming the fleet member a run works for; runs for the one cluster have none. */
    public static final String CLUSTER = "cluster";
    /** H2's DATABASE_ALREADY_OPEN_1: the file database is locked by another process. */
    private static final int H2_DATABASE_IN_USE = 90020;

    private final ObjectProvider<JobOperator> jobOperator;
    private final ObjectProvider<JobRepository> jobRepository;
    private final RunOwner owner;
    private final GracefulShutdown shutdown;

    Runs(ObjectProvider<JobOperator> jobOperator, ObjectProvider<JobRepository> jobRepository, RunOwner owner,
         GracefulShutdown shutdown) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.owner = owner;
        this.shutdown = shutdown;
    }

    /** Runs the request's checks, then starts or resumes the run, and returns its last execution. */
    public JobExecution launch(RunRequest request) throws Exception {
        try {
            request.preflight().check();
        } catch (Exception failure) {
            // Bad input, even wrapped (a bean refusing its settings as it is created), leaves no trace.
            throw isBadInput(failure) ? failure : recordNotStarted(request, failure);
        }
        return startOrResume(request);
    }

    private JobExecution startOrResume(RunRequest request) throws Exception {
        JobOperator operator = jobOperator.getObject();
        JobExecution last = jobRepository.getObject().getLastJobExecution(request.job().get().getName(), request.identifying());
        if (last == null) {
            return operator.start(request.job().get(), request.parameters());
        }
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw new InvalidInputException(request.what() + " already completed (job execution " + last.getId() + ")");
        }
        if (last.getStatus().isRunning()) {
            last = recoverIfDead(last, request.what());
        }
        log.info("Resuming {} from execution {}", request.what(), last.getId());
        // The request's own job, not the registry's job of that name: a fleet member's job is not in the registry.
        return operator.start(request.job().get(), last.getJobParameters());
    }

    /**
     * Restarts execution {@code id} (see {@code report}): a failed or stopped one where it stopped, one left running by
     * a dead owner after recovering it.
     */
    public JobExecution restart(long id) throws Exception {
        JobExecution last = require("restart", id);
        if (last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
            throw new InvalidInputException("restart: execution " + id + " is " + last.getStatus() + " and cannot be restarted");
        }
        if (last.getStatus().isRunning()) {
            last = recoverIfDead(last, "execution " + id);
        }
        return jobOperator.getObject().restart(last);
    }

    /**
     * Asks running execution {@code id} to stop at its next commit, from any process.
     *
     * @return the execution as it was recorded before the request
     */
    public JobExecution stop(long id) {
        JobExecution execution = require("stop", id);
        if (!execution.getStatus().isRunning()) {
            throw new InvalidInputException("stop: execution " + id + " is " + execution.getStatus() + ", not running");
        }
        StopRequests.request(jobRepository.getObject(), id);
        return execution;
    }

    /** The parameters the last run of this job instance (its identifying parameters, the name) had, if it ran. */
    public Optional<JobParameters> lastParameters(String jobName, JobParameters identifying) {
        return Optional.ofNullable(jobRepository.getObject().getLastJobExecution(jobName, identifying)).map(JobExecution::getJobParameters);
    }

    /** {@code parameters} tagged with the fleet member they work for ({@link #CLUSTER}), unchanged when {@code member} is null. */
    public static JobParameters forMember(JobParameters parameters, String member) {
        return member == null ? parameters
                : new org.springframework.batch.core.job.parameters.JobParametersBuilder(parameters).addString(CLUSTER, member, true).toJobParameters();
    }

    /** Whether {@code execution} works for {@code member} (null: the one cluster of {@code kbackup.kube}). */
    public static boolean isFor(JobExecution execution, String member) {
        return java.util.Objects.equals(execution.getJobParameters().getString(CLUSTER), member);
    }

    /** Execution {@code id}, for {@code command}; an unknown id is bad input. */
    public JobExecution require(String command, long id) {
        JobExecution execution;
        try {
            execution = jobRepository.getObject().getJobExecution(id);
        } catch (EmptyResultDataAccessException e) {
            // The JDBC repository throws for an unknown id instead of returning null.
            execution = null;
        }
        if (execution == null) {
            throw new InvalidInputException(command + ": no job execution " + id);
        }
        return execution;
    }

    /**
     * Marks every execution of a job that is recorded as running but whose owner is gone FAILED, with the exit
     * description {@value #ABANDONED}, and returns them. Without this a CronJob pod killed outright (OOM, a lost
     * node) would leave its run STARTED for ever, and everything that asks what is still running would believe it.
     */
    public List<JobExecution> abandonDead(String jobName, String member) {
        List<JobExecution> abandoned = new ArrayList<>();
        for (JobExecution fresh : deadRuns(jobName)) {
            if (!isFor(fresh, member)) {
                continue;
            }
            log.warn("Execution {} of {} was left {} by an owner that is gone; marking it FAILED ({})", fresh.getId(),
                    jobName, fresh.getStatus(), ABANDONED);
            fresh.setExitStatus(ExitStatus.FAILED.addExitDescription(ABANDONED));
            abandoned.add(jobOperator.getObject().recover(fresh));
            owner.clearLease(fresh);
        }
        return abandoned;
    }

    /** The executions of a job recorded as running whose owner is gone, as the repository has them now. */
    public List<JobExecution> deadRuns(String jobName) {
        JobRepository repository = jobRepository.getObject();
        List<JobExecution> dead = new ArrayList<>();
        for (JobExecution running : repository.findRunningJobExecutions(jobName)) {
            JobExecution fresh = repository.getJobExecution(running.getId());
            if (fresh != null && fresh.isRunning() && !owner.liveness(fresh).alive()) {
                dead.add(fresh);
            }
        }
        return dead;
    }

    private static boolean isBadInput(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidInputException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The message for a failure that means "another run holds this", which is a refusal (exit 2) and not a failed
     * run; null for any other failure.
     */
    public static String refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_IN_USE) {
                return "another kbackup process is using the H2 job repository; runs that share an H2 repository cannot "
                        + "overlap (configure PostgreSQL to run them side by side)";
            }
            if (t instanceof JobExecutionAlreadyRunningException) {
                return "a run with these parameters is already running: " + Failures.reason(failure);
            }
        }
        return null;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        owner.claim(execution);
        shutdown.beforeJob(execution);
    }

    @Override
    public void afterJob(JobExecution execution) {
        shutdown.afterJob(execution);
        owner.release(execution);
    }

    private JobExecution recoverIfDead(JobExecution running, String what) {
        owner.refuseIfAlive(running, what);
        log.warn("Execution {} of {} was left {} by an owner that is gone; recovering it", running.getId(), what,
                running.getStatus());
        JobExecution recovered = jobOperator.getObject().recover(running);
        owner.clearLease(running);
        return recovered;
    }

    /**
     * Records a launch whose checks failed as a FAILED execution of its job instance, so that the failure is in the
     * record of runs and can be retried by id, and returns the failure to throw. When even that cannot be written
     * (the job repository is what is down), the original failure is thrown.
     */
    private Exception recordNotStarted(RunRequest request, Exception failure) {
        String reason = Failures.reason(failure);
        try {
            JobRepository repository = jobRepository.getObject();
            String jobName = request.job().get().getName();
            JobExecution last = repository.getLastJobExecution(jobName, request.identifying());
            if (last != null && (last.getStatus().isRunning() || last.getStatus() == BatchStatus.COMPLETED)) {
                return failure;
            }
            JobInstance instance = last != null ? last.getJobInstance() : repository.createJobInstance(jobName, request.parameters());
            JobExecution execution = repository.createJobExecution(instance, request.parameters(), new ExecutionContext());
            LocalDateTime now = LocalDateTime.now();
            execution.setStartTime(now);
            execution.setEndTime(now);
            execution.setStatus(BatchStatus.FAILED);
            execution.setExitStatus(ExitStatus.FAILED.addExitDescription(NOT_STARTED + reason));
            repository.update(execution);
            log.error("{} failed before its job started, recorded as execution {}: {}", request.what(), execution.getId(), reason);
            return new NotStartedException(reason + " (recorded as " + jobName + " execution " + execution.getId()
                    + "; 'restart " + execution.getId() + "' retries it)", failure, execution.getId());
        } catch (RuntimeException unrecorded) {
            failure.addSuppressed(unrecorded);
            return failure;
        }
    }

    /**
     * A launch refused because its run is alive elsewhere (its owner's process, or its Lease, says so). Bad input for
     * a person (exit 2); a fleet worker retried while the Lease of the pod it replaces has not expired waits instead.
     */
    public static final class AlreadyRunningException extends InvalidInputException {

        AlreadyRunningException(String message) {
            super(message);
        }
    }

    /** A launch that failed in its checks, after it was recorded as a FAILED execution. */
    public static final class NotStartedException extends RuntimeException {

        private final long execution;

        NotStartedException(String message, Throwable cause, long execution) {
            super(message, cause);
            this.execution = execution;
        }

        /** The FAILED execution the launch was recorded as. */
        public long execution() {
            return execution;
        }
    }
}
