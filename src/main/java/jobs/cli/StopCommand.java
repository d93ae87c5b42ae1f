package jobs.cli;

import java.io.PrintWriter;
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
        JobExecution execution = context.getBean(Runs.class).stop(id);
        out.printf("Stop requested for %s execution %d%n", execution.getJobInstance().getJobName(), id);
        return ExitCodes.COMPLETED;
    }
}
