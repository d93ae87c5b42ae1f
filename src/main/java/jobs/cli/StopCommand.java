package jobs.cli;

import java.io.PrintWriter;
import jobs.fleet.FleetJobConfiguration;
import jobs.fleet.FleetLauncher;
import jobs.run.Runs;
import jobs.support.ExitCodes;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Asks a running execution to stop at its next commit; it can be resumed with 'restart ID' or by launching it again.")
class StopCommand implements Subcommand {

    @Parameters(index = "0", paramLabel = "ID", description = "Job execution id.")
    long id;

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        Runs runs = context.getBean(Runs.class);
        JobExecution recorded = runs.require("stop", id);
        JobExecution execution = recorded.getStatus().isRunning() ? runs.stop(id) : recorded;
        if (recorded.getJobInstance().getJobName().equals(FleetJobConfiguration.JOB_NAME)) {
            // Its members run as executions of their own, and the kubernetes runner's workers as pods: they stop too.
            context.getBean(FleetLauncher.class).stop(recorded);
        } else if (!recorded.getStatus().isRunning()) {
            runs.stop(id); // refuses, naming the status
        }
        out.printf("Stop requested for %s execution %d%n", execution.getJobInstance().getJobName(), id);
        return ExitCodes.COMPLETED;
    }
}
