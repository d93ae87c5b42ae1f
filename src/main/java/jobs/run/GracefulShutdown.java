package jobs.run;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * On SIGTERM (what Kubernetes sends a pod it stops) a running job is stopped at its next commit and recorded as
 * STOPPED before the process exits, so the next launch resumes it instead of finding it stuck in STARTED.
 */
@Component
class GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(100);

    private final ObjectProvider<JobRepository> jobRepository;
    private final ObjectProvider<DataSource> dataSource;
    private final Map<Long, Thread> hooks = new ConcurrentHashMap<>();

    GracefulShutdown(ObjectProvider<JobRepository> jobRepository, ObjectProvider<DataSource> dataSource) {
        this.jobRepository = jobRepository;
        this.dataSource = dataSource;
    }

    void beforeJob(JobExecution execution) {
        JobRepository repository = jobRepository.getObject();
        DataSource database = dataSource.getIfAvailable();
        Thread hook = new Thread(() -> {
            stopAndWait(repository, execution);
            flush(database);
        }, "kbackup-graceful-stop");
        hooks.put(execution.getId(), hook);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Asks the job to stop, then holds the exit until it has (Batch's own hook returns at once, and the process
     * would die with the execution still STARTED). Bounded, so a stuck call cannot outlast the pod's grace period.
     */
    private static void stopAndWait(JobRepository repository, JobExecution execution) {
        try {
            if (!execution.isRunning()) {
                return;
            }
            log.warn("Termination signal: stopping {} execution {} at its next commit", execution.getJobInstance().getJobName(),
                    execution.getId());
            StopRequests.request(repository, execution.getId());
            // The recorded status is the truth the next launch will see; wait until the job has written its end.
            long deadline = System.nanoTime() + MAX_WAIT.toNanos();
            BatchStatus recorded = BatchStatus.STARTED;
            while (System.nanoTime() < deadline) {
                JobExecution fresh = repository.getJobExecution(execution.getId());
                recorded = fresh == null ? BatchStatus.UNKNOWN : fresh.getStatus();
                if (!recorded.isRunning() && execution.getEndTime() != null) {
                    break;
                }
                Thread.sleep(100);
            }
            log.warn("Execution {} is {}", execution.getId(), recorded);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Could not stop execution {}: {}", execution.getId(), e.getMessage());
        }
    }

    /**
     * Writes an H2 file repository out before the process exits. The application closes no context on a signal (no
     * Spring shutdown hook), so H2 (with {@code WRITE_DELAY=0}, no background writer) would not write its last
     * commits, and the next launch could read the run as STOPPING, not STOPPED. PostgreSQL has them already.
     */
    private static void flush(DataSource database) {
        if (database == null) {
            return;
        }
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            if ("H2".equals(connection.getMetaData().getDatabaseProductName())) {
                statement.execute("CHECKPOINT SYNC");
            }
        } catch (SQLException e) {
            // Closed already: the run ended and the application closed its context, which closed H2 cleanly.
            log.debug("Job repository not written out here: {}", e.getMessage());
        }
    }

    void afterJob(JobExecution execution) {
        Thread hook = hooks.remove(execution.getId());
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it is what stopped this job
            }
        }
    }
}
