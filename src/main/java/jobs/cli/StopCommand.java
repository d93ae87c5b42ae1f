package jobs.cli;

import java.io.PrintWriter;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.support.StopRequests;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
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
        JobExecution execution = Executions.require(context, "stop", id);
        if (!execution.getStatus().isRunning()) {
            throw new InvalidInputException("stop: execution " + id + " is " + execution.getStatus() + ", not running");
        }
        StopRequests.request(context.getBean(JobRepository.class), id);
        out.printf("Stop requested for %s execution %d%n", execution.getJobInstance().getJobName(), id);
        return ExitCodes.COMPLETED;
    }
}
