package jobs.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Starts a named run, or resumes the earlier run of the same name: a completed one is refused, a live one is
 * refused, one left STARTED by a dead process is recovered, and a failed or stopped one is restarted where it
 * stopped. The job repository is opened only here, after the caller's checks, so a refused launch writes nothing.
 */
@Component
public class Launches {

    private static final Logger log = LoggerFactory.getLogger(Launches.class);
    /** The exit description of a run whose process died without a trace: a pod killed outright, a node lost. */
    public static final String ABANDONED = "abandoned: owner gone";

    private final ObjectProvider<JobOperator> jobOperator;
    private final ObjectProvider<JobRepository> jobRepository;
    private final RunOwner runOwner;

    Launches(ObjectProvider<JobOperator> jobOperator, ObjectProvider<JobRepository> jobRepository, RunOwner runOwner) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.runOwner = runOwner;
    }

    /**
     * @param what        how to name the run in messages, e.g. {@code backup 'nightly'}
     * @param identifying the parameters that identify the job instance (the name)
     */
    public JobExecution startOrResume(Job job, JobParameters parameters, JobParameters identifying, String what) throws Exception {
        JobOperator operator = jobOperator.getObject();
        JobExecution last = jobRepository.getObject().getLastJobExecution(job.getName(), identifying);
        if (last == null) {
            return operator.start(job, parameters);
        }
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw new InvalidInputException(what + " already completed (job execution " + last.getId() + ")");
        }
        if (last.getStatus().isRunning()) {
            runOwner.refuseIfAlive(last, what);
            log.warn("Execution {} of {} was left {} by a process that is gone; recovering it", last.getId(), what, last.getStatus());
            last = operator.recover(last);
        }
        log.info("Resuming {} from execution {}", what, last.getId());
        return operator.restart(last);
    }

    /**
     * Marks every execution of a job that is recorded as running but whose process is gone FAILED, with the exit
     * description {@value #ABANDONED}, and returns them. Without this a CronJob pod killed outright (OOM, a lost
     * node) would leave its run STARTED for ever, and everything that asks what is still running would believe it.
     */
    public List<JobExecution> abandonDead(String jobName) {
        List<JobExecution> abandoned = new ArrayList<>();
        for (JobExecution fresh : deadRuns(jobName)) {
            log.warn("Execution {} of {} was left {} by a process that is gone; marking it FAILED ({})", fresh.getId(),
                    jobName, fresh.getStatus(), ABANDONED);
            fresh.setExitStatus(ExitStatus.FAILED.addExitDescription(ABANDONED));
            abandoned.add(jobOperator.getObject().recover(fresh));
        }
        return abandoned;
    }

    /** The executions of a job recorded as running whose process is gone, as the repository has them now. */
    public List<JobExecution> deadRuns(String jobName) {
        JobRepository repository = jobRepository.getObject();
        List<JobExecution> dead = new ArrayList<>();
        for (JobExecution running : repository.findRunningJobExecutions(jobName)) {
            JobExecution fresh = repository.getJobExecution(running.getId());
            if (fresh != null && fresh.isRunning() && !runOwner.isAlive(fresh)) {
                dead.add(fresh);
            }
        }
        return dead;
    }
}
