package jobs.fleet;

import java.util.ArrayList;
import java.util.List;
import jobs.run.RunRequest;
import jobs.run.Runs;
import jobs.support.InvalidInputException;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** Starts a fleet backup, or reruns the members of an earlier one of the same name that did not complete. */
@Component
public class FleetLauncher {

    private final Runs runs;
    private final ObjectProvider<Job> fleetBackupJob;
    private final ObjectProvider<JobRepository> jobRepository;

    FleetLauncher(Runs runs, @Qualifier("fleetBackupJob") ObjectProvider<Job> fleetBackupJob, ObjectProvider<JobRepository> jobRepository) {
        this.runs = runs;
        this.fleetBackupJob = fleetBackupJob;
        this.jobRepository = jobRepository;
    }

    /** Runs the fleet backup to its end and returns the last execution. */
    public JobExecution launch(FleetParameters parameters) throws Exception {
        return runs.launch(new RunRequest(fleetBackupJob::getObject, parameters.toJobParameters(),
                FleetParameters.identifying(parameters.name()), "fleet backup '" + parameters.name() + "'", () -> {
                    if (parameters.selections().isEmpty()) {
                        throw new InvalidInputException("fleet backup: no members to back up");
                    }
                }));
    }

    /**
     * Every member's outcome in the fleet run of {@code execution}: its partition in that execution, or, for a member
     * an earlier execution completed (a relaunch does not run it again), that one.
     */
    public List<MemberOutcome> outcomes(JobExecution execution) {
        List<String> members = List.copyOf(FleetParameters.selections(
                execution.getJobParameters().getString(FleetParameters.SELECTIONS)).keySet());
        List<MemberOutcome> outcomes = new ArrayList<>();
        for (String member : members) {
            StepExecution last = jobRepository.getObject().getLastStepExecution(execution.getJobInstance(),
                    FleetJobConfiguration.MEMBER_STEP + ":" + member);
            outcomes.add(last == null ? new MemberOutcome(member, "NOT_STARTED", null, 0, 0, null, "the run ended before this member started")
                    : MemberOutcome.of(last));
        }
        return outcomes;
    }
}
