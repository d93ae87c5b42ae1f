package jobs.cli;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.EmptyResultDataAccessException;

/** Looks up a job execution by id for the commands that take one. */
final class Executions {

    private Executions() {
    }

    /** The execution, or null; the JDBC repository throws for an unknown id instead of returning null. */
    static JobExecution find(ApplicationContext context, long id) {
        try {
            return context.getBean(JobRepository.class).getJobExecution(id);
        } catch (EmptyResultDataAccessException e) {
            return null;
        }
    }
}
