package jobs.cli;

import java.io.PrintWriter;
import jobs.fleet.FleetWorker;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs one partition of a fleet run: what the kubernetes runner's pods run.",
                "Without options, the partition of the pod's completion index (JOB_COMPLETION_INDEX) among "
                        + "KBACKUP_WORKER_STEP_EXECUTIONS, of job execution KBACKUP_WORKER_JOB_EXECUTION."})
class WorkerCommand implements Subcommand {

    @Option(names = "--job-execution", paramLabel = "ID", description = "The fleet run's job execution.")
    Long jobExecution;

    @Option(names = "--step-execution", paramLabel = "ID", description = "The partition's step execution.")
    Long stepExecution;

    @Override
    public void validate() {
        if (jobExecution == null) {
            jobExecution = number("KBACKUP_WORKER_JOB_EXECUTION");
        }
        if (stepExecution == null) {
            String list = System.getenv("KBACKUP_WORKER_STEP_EXECUTIONS");
            if (list == null) {
                throw new InvalidInputException("worker: give --step-execution, or run in a worker pod (KBACKUP_WORKER_STEP_EXECUTIONS)");
            }
            stepExecution = FleetWorker.stepExecution(list, number("JOB_COMPLETION_INDEX").intValue());
        }
    }

    private static Long number(String variable) {
        String value = System.getenv(variable);
        if (value == null || !value.matches("\\d{1,18}")) {
            throw new InvalidInputException("worker: " + variable + " must be set to a number (it is '" + value + "')");
        }
        return Long.parseLong(value);
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        StepExecution step = context.getBean(FleetWorker.class).run(jobExecution, stepExecution);
        out.printf("Partition %s (step execution %d): %s %s%n", step.getStepName(), step.getId(), step.getStatus(),
                step.getExitStatus().getExitCode());
        return step.getStatus() == BatchStatus.COMPLETED ? ExitCodes.COMPLETED : ExitCodes.FAILED;
    }
}
