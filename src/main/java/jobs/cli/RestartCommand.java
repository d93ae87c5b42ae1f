package jobs.cli;

import java.util.List;
import java.io.PrintWriter;
import jobs.config.KbackupProperties;
import jobs.run.Runs;
import jobs.support.InvalidInputException;
import jobs.support.ExitCodes;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Resumes a failed or stopped execution by its id (see 'report'); one left running by a killed process is recovered first.")
class RestartCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Parameters(index = "0", paramLabel = "ID", description = "Job execution id.")
    long id;

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        Runs runs = context.getBean(Runs.class);
        // A member's run restarts with that member's settings (its store, its API server), which --cluster selects.
        String member = runs.require("restart", id).getJobParameters().getString(Runs.CLUSTER);
        if (!java.util.Objects.equals(member, context.getBean(KbackupProperties.class).member())) {
            throw new InvalidInputException("restart: execution " + id + (member == null ? " is not a fleet member's; run it without --cluster"
                    : " works for fleet member " + member + "; run 'kbackup restart " + id + " --cluster " + member + "'"));
        }
        JobExecution execution = runs.restart(id);
        out.printf("%s execution %d (restart of %d): %s %s%n", execution.getJobInstance().getJobName(), execution.getId(), id,
                execution.getStatus(), execution.getExitStatus().getExitCode());
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            return ExitCodes.FAILED;
        }
        return execution.getExitStatus().getExitCode().equals("PARTIALLY_FAILED") ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }

    @Override
    public void validate() {
        clusterOption.validate();
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
