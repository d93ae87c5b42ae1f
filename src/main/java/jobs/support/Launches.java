package jobs.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
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
}
