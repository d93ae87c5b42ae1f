package jobs.purge;

import java.time.Clock;
import java.time.Duration;
import jobs.config.KbackupProperties;
import jobs.run.Runs;
import jobs.support.Json;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** Runs one purge; every run is its own job instance (a purge resumes by being run again, not by restart). */
@Component
public class PurgeLauncher {

    private final JobOperator jobOperator;
    private final Job purgeJob;
    private final Clock clock;
    private final String member;

    PurgeLauncher(JobOperator jobOperator, @Qualifier("purgeJob") Job purgeJob, Clock clock, KbackupProperties properties) {
        this.member = properties.member();
        this.jobOperator = jobOperator;
        this.purgeJob = purgeJob;
        this.clock = clock;
    }

    public JobExecution launch(boolean dryRun, Duration retention, Integer keepLast) throws Exception {
        JobParametersBuilder parameters = new JobParametersBuilder()
                .addString("runAt", clock.instant().toString() + "#" + System.nanoTime(), true)
                .addString("dryRun", Boolean.toString(dryRun), false);
        if (retention != null) {
            parameters.addString("retention", retention.toString(), false);
        }
        if (keepLast != null) {
            parameters.addString("keepLast", keepLast.toString(), false);
        }
        return jobOperator.start(purgeJob, Runs.forMember(parameters.toJobParameters(), member));
    }

    public static PurgeSummary summary(JobExecution execution) throws Exception {
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getExecutionContext().containsKey(PurgeJobConfiguration.SUMMARY)) {
                return Json.mapper().readValue(step.getExecutionContext().getString(PurgeJobConfiguration.SUMMARY), PurgeSummary.class);
            }
        }
        return null;
    }
}
