package jobs.run;

import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParameters;

/**
 * One launch of a job.
 *
 * @param job         the job, only created once the checks have passed (it opens the job repository)
 * @param parameters  all its parameters
 * @param identifying only those that identify the job instance (the name), to find an earlier run of it
 * @param what        how to name the run in messages, e.g. {@code backup 'nightly'}
 * @param preflight   the checks before the job starts: bad input throws {@code InvalidInputException} and is
 *                    refused without a trace; any other failure is recorded as a FAILED execution
 */
public record RunRequest(Supplier<Job> job, JobParameters parameters, JobParameters identifying, String what, Preflight preflight) {

    public RunRequest {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(identifying, "identifying");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(preflight, "preflight");
    }

    /** The checks a launch makes before its job starts. */
    @FunctionalInterface
    public interface Preflight {

        Preflight NONE = () -> { };

        void check() throws Exception;
    }
}
