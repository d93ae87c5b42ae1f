package jobs.run;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Asks a running job execution to stop at its next commit, from any thread or process. Only the job execution is
 * marked STOPPING: the running step reads that when it commits, takes its step execution's current version and
 * stops there. {@code JobOperator.stop} also writes the step execution from the stopping thread, which races the
 * running step's commit into an OptimisticLockingFailureException that fails the run instead of stopping it
 * (spring-batch #5120, #5308).
 */
final class StopRequests {

    private StopRequests() {
    }

    static void request(JobRepository repository, long executionId) {
        JobExecution fresh = repository.getJobExecution(executionId);
        if (fresh != null && fresh.isRunning()) {
            fresh.setStatus(BatchStatus.STOPPING);
            repository.update(fresh);
        }
    }
}
