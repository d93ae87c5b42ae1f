package jobs.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Tells a run that is still going from one whose process died. Each run records its host and process id; an
 * execution left STARTED belongs to a dead process when that process is gone from this host, or, on another host
 * (another pod), when it has not committed for {@link #STALE_AFTER}. A live run is never recovered under its feet:
 * a second launch of the same name is refused instead.
 */
@Component
public class RunOwner implements JobExecutionListener {

    static final String HOST = "owner.host";
    static final String PID = "owner.pid";
    public static final Duration STALE_AFTER = Duration.ofMinutes(15);

    private final ObjectProvider<JobRepository> jobRepository;
    private final Clock clock;

    RunOwner(ObjectProvider<JobRepository> jobRepository, Clock clock) {
        this.jobRepository = jobRepository;
        this.clock = clock;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        execution.getExecutionContext().putString(HOST, host());
        execution.getExecutionContext().putLong(PID, ProcessHandle.current().pid());
        jobRepository.getObject().updateExecutionContext(execution);
    }

    /**
     * @throws InvalidInputException when the execution, recorded as running, is really running
     */
    public void refuseIfAlive(JobExecution recorded, String what) {
        JobExecution last = jobRepository.getObject().getJobExecution(recorded.getId());
        if (last == null || !last.getStatus().isRunning()) {
            return;
        }
        Liveness liveness = liveness(last);
        if (liveness.alive()) {
            throw new InvalidInputException(what + " is already running (execution " + last.getId() + ", " + liveness.where()
                    + "); wait for it, or stop it with 'stop " + last.getId() + "'");
        }
    }

    /** Whether the process that runs this execution, recorded as running, is still there. */
    public boolean isAlive(JobExecution running) {
        return liveness(running).alive();
    }

    private record Liveness(boolean alive, String where) {
    }

    private Liveness liveness(JobExecution last) {
        var context = last.getExecutionContext();
        if (context.containsKey(HOST) && host().equals(context.getString(HOST)) && context.containsKey(PID)) {
            long pid = context.getLong(PID);
            boolean alive = pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return new Liveness(alive, "process " + pid);
        }
        LocalDateTime updated = lastUpdate(last);
        boolean alive = updated != null && updated.toInstant(ZoneOffset.UTC).plus(STALE_AFTER).isAfter(clock.instant());
        return new Liveness(alive, "host " + (context.containsKey(HOST) ? context.getString(HOST) : "unknown") + ", last commit " + updated);
    }

    private static LocalDateTime lastUpdate(JobExecution execution) {
        LocalDateTime latest = execution.getLastUpdated();
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getLastUpdated() != null && (latest == null || step.getLastUpdated().isAfter(latest))) {
                latest = step.getLastUpdated();
            }
        }
        return latest;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
