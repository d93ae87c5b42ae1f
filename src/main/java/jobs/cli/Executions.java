package jobs.cli;

import jobs.support.InvalidInputException;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.EmptyResultDataAccessException;

/** Looks up a job execution by id for the commands that take one. */
final class Executions {

    private Executions() {
    }

    /**
     * The execution {@code id}, for {@code command}; an unknown id is bad input (the JDBC repository throws for it
     * instead of returning null).
     */
    static JobExecution require(ApplicationContext context, String command, long id) {
        JobExecution execution;
        try {
            execution = context.getBean(JobRepository.class).getJobExecution(id);
        } catch (EmptyResultDataAccessException e) {
            execution = null;
        }
        if (execution == null) {
            throw new InvalidInputException(command + ": no job execution " + id);
        }
        return execution;
    }
}
