package jobs.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

/**
 * One step execution as the job repository recorded it, so benchmark times leave out JVM and Spring start-up.
 *
 * @param seconds between the step's start and end
 * @param read    items read
 * @param written items written
 */
record StepRecord(double seconds, long read, long written) {

    /** The step {@code step} of the run of {@code job} named {@code name}, from the H2 repository in {@code dir}. */
    static StepRecord of(Path dir, String job, String step, String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("jobs"), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("""
                     select s.START_TIME, s.END_TIME, s.READ_COUNT, s.WRITE_COUNT from BATCH_STEP_EXECUTION s
                     join BATCH_JOB_EXECUTION e on e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
                     join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                     join BATCH_JOB_EXECUTION_PARAMS p on p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                     where i.JOB_NAME = '%s' and s.STEP_NAME = '%s' and p.PARAMETER_NAME = 'name' and p.PARAMETER_VALUE = '%s'
                     """.formatted(job, step, name))) {
            if (!rs.next()) {
                throw new IllegalStateException("no step " + step + " of " + job + " " + name + " in " + dir);
            }
            return new StepRecord((rs.getTimestamp(2).getTime() - rs.getTimestamp(1).getTime()) / 1000.0, rs.getLong(3),
                    rs.getLong(4));
        }
    }
}
