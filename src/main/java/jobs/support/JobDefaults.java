package jobs.support;

import jobs.metrics.JobMetrics;
import jobs.run.Runs;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/** What every kbackup job has: its run lifecycle (owner, lease, graceful stop on SIGTERM) and metrics. */
@Component
public class JobDefaults {

    private final Runs runs;
    private final JobMetrics jobMetrics;

    JobDefaults(Runs runs, JobMetrics jobMetrics) {
        this.runs = runs;
        this.jobMetrics = jobMetrics;
    }

    public JobBuilder builder(String name, JobRepository jobRepository) {
        return new JobBuilder(name, jobRepository).listener(runs).listener(jobMetrics);
    }
}
