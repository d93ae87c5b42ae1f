package jobs.fleet;

import java.time.Duration;
import jobs.support.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * A {@code kubernetes} runner's pod: runs the partition step execution of its completion index, as Spring Batch's
 * remote partitioning worker does, against the shared job repository. A retried pod takes its index's execution over
 * where the dead one left it; a completed one is not run again. On SIGTERM (the Job deleted by a stop) the member's
 * backup stops at its next commit, and the process waits until the partition is recorded STOPPED.
 */
@Component
public class FleetWorker {

    private static final Logger log = LoggerFactory.getLogger(FleetWorker.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(100);

    private final ObjectProvider<JobRepository> jobRepository;
    private final ObjectProvider<Step> memberStep;

    FleetWorker(ObjectProvider<JobRepository> jobRepository, @Qualifier("fleetMemberStep") ObjectProvider<Step> memberStep) {
        this.jobRepository = jobRepository;
        this.memberStep = memberStep;
    }

    /** The step execution of {@code index} in a worker Job's list ({@code 12,13,14}). */
    public static long stepExecution(String list, int index) {
        String[] ids = list.split(",");
        if (index < 0 || index >= ids.length) {
            throw new InvalidInputException("worker: completion index " + index + " is not in " + WorkerJobs.STEP_EXECUTIONS + " (" + list + ")");
        }
        return Long.parseLong(ids[index].trim());
    }

    /** Runs the partition and returns it as recorded. */
    public StepExecution run(long jobExecutionId, long stepExecutionId) throws Exception {
        JobRepository repository = jobRepository.getObject();
        StepExecution step = repository.getStepExecution(stepExecutionId);
        if (step == null) {
            throw new InvalidInputException("worker: no step execution " + stepExecutionId + " in job execution " + jobExecutionId);
        }
        if (step.getStatus() == BatchStatus.COMPLETED) {
            log.info("Partition {} is already COMPLETED", step.getStepName());
            return step;
        }
        Thread hook = new Thread(() -> awaitRecorded(repository, jobExecutionId, stepExecutionId), "kbackup-worker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            log.info("Worker runs partition {} (step execution {})", step.getStepName(), stepExecutionId);
            memberStep.getObject().execute(step);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for what this thread records
            }
        }
        return repository.getStepExecution(stepExecutionId);
    }

    /** Holds a terminating process until the partition has recorded how it ended (bounded by the pod's grace period). */
    private static void awaitRecorded(JobRepository repository, long jobExecutionId, long stepExecutionId) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                StepExecution fresh = repository.getStepExecution(stepExecutionId);
                if (fresh == null || (fresh.getEndTime() != null && !fresh.getStatus().isRunning())) {
                    log.warn("Partition step execution {} is {}", stepExecutionId, fresh == null ? "gone" : fresh.getStatus());
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
