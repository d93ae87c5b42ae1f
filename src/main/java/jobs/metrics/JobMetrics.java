package jobs.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jobs.config.KbackupProperties;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

/**
 * Job and step metrics through Micrometer, in the Prometheus text format: run durations by job and status, items
 * read, written and skipped per step, and the time of the last successful run per job (for "no backup for 8 hours"
 * alerts). A batch process does not live long enough to be scraped, so with {@code kbackup.metrics.file} set the
 * metrics are written to a file at the end of each command, for a node-exporter textfile collector or a sidecar
 * that pushes them.
 */
@Component
public class JobMetrics implements JobExecutionListener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Double> lastSuccess = new ConcurrentHashMap<>();
    private final Path file;

    JobMetrics(KbackupProperties properties) {
        this.file = properties.metrics().file();
    }

    @Override
    public void afterJob(JobExecution execution) {
        String job = execution.getJobInstance().getJobName();
        String status = execution.getExitStatus().getExitCode();
        if (execution.getStartTime() != null && execution.getEndTime() != null) {
            Timer.builder("kbackup.job.duration").description("Wall time of job runs").tags("job", job, "status", status)
                    .register(registry).record(Duration.between(execution.getStartTime(), execution.getEndTime()));
        }
        for (StepExecution step : execution.getStepExecutions()) {
            count("kbackup.step.items.read", job, step, step.getReadCount());
            count("kbackup.step.items.written", job, step, step.getWriteCount());
            count("kbackup.step.items.skipped", job, step, step.getSkipCount());
        }
        if (execution.getStatus().isUnsuccessful() || execution.getEndTime() == null) {
            return;
        }
        lastSuccess.put(job, (double) execution.getEndTime().toEpochSecond(ZoneOffset.UTC));
        Gauge.builder("kbackup.job.last.success.timestamp", lastSuccess, m -> m.getOrDefault(job, 0.0))
                .description("When the job last ended without failing (seconds since the epoch)").tag("job", job)
                .register(registry);
    }

    private void count(String name, String job, StepExecution step, long n) {
        Counter.builder(name).tags("job", job, "step", step.getStepName()).register(registry).increment(n);
    }

    /** The registry other parts of a run count into (storage requests), written out with the job metrics. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The metrics in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }

    /** Writes the metrics to {@code kbackup.metrics.file}, atomically, when it is set. */
    public void writeIfConfigured() {
        if (file == null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".kbackup-metrics", ".tmp");
            Files.writeString(temp, scrape());
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }
}
