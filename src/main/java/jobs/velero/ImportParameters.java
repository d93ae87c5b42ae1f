package jobs.velero;

import java.time.Duration;
import jobs.support.Json;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What one import was asked to do. Only the restore point's name identifies the job instance, as for a backup:
 * launching the same name again resumes it.
 *
 * @param name   the restore point to write
 * @param source the Velero backup to read
 * @param ttl    how long to keep the restore point from the Velero backup's start; null for Velero's own expiry
 */
public record ImportParameters(String name, VeleroLocation source, Duration ttl) {

    static final String NAME = "name";
    static final String SOURCE = "source";
    static final String TTL = "ttl";

    JobParameters toJobParameters() {
        JobParametersBuilder builder = new JobParametersBuilder().addString(NAME, name, true)
                .addString(SOURCE, Json.write(source), false);
        if (ttl != null) {
            builder.addString(TTL, ttl.toString(), false);
        }
        return builder.toJobParameters();
    }

    static JobParameters identifying(String name) {
        return new JobParametersBuilder().addString(NAME, name, true).toJobParameters();
    }

    static VeleroLocation source(String json) {
        return Json.read(json, new com.fasterxml.jackson.core.type.TypeReference<VeleroLocation>() { });
    }
}
