package jobs.support;

import jobs.metrics.JobMetrics;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/** What every kbackup job has: its run owner recorded, a graceful stop on SIGTERM, and metrics. */
@Component
public class JobDefaults {

    private final RunOwner runOwner;
    private final GracefulShutdown gracefulShutdown;
    private final JobMetrics jobMetrics;

    JobDefaults(RunOwner runOwner, GracefulShutdown gracefulShutdown, JobMetrics jobMetrics) {
        this.runOwner = runOwner;
        this.gracefulShutdown = gracefulShutdown;
        this.jobMetrics = jobMetrics;
    }

    public JobBuilder builder(String name, JobRepository jobRepository) {
        return new JobBuilder(name, jobRepository).listener(runOwner).listener(gracefulShutdown).listener(jobMetrics);
    }
}
