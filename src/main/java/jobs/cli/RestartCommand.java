package jobs.cli;

import java.io.PrintWriter;
import jobs.run.Runs;
import jobs.support.ExitCodes;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Resumes a failed or stopped execution by its id (see 'report'); one left running by a killed process is recovered first.")
class RestartCommand implements Subcommand {

    @Parameters(index = "0", paramLabel = "ID", description = "Job execution id.")
    long id;

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        JobExecution execution = context.getBean(Runs.class).restart(id);
        out.printf("%s execution %d (restart of %d): %s %s%n", execution.getJobInstance().getJobName(), execution.getId(), id,
                execution.getStatus(), execution.getExitStatus().getExitCode());
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            return ExitCodes.FAILED;
        }
        return execution.getExitStatus().getExitCode().equals("PARTIALLY_FAILED") ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }
}
