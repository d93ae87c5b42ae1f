package jobs.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import jobs.filter.Selection;
import jobs.support.Json;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What one backup was asked to do, and its mapping to job parameters. Only the name identifies the job instance:
 * launching the same name again resumes it rather than starting a second restore point of that name.
 *
 * @param name            restore point name
 * @param selection       what to back up
 * @param ttl             how long to keep it, null for the policy's retention
 * @param snapshotVolumes whether to snapshot persistent volumes
 */
public record BackupParameters(String name, Selection selection, Duration ttl, boolean snapshotVolumes) {

    static final String NAME = "name";
    static final String SELECTION = "selection";
    static final String TTL = "ttl";
    static final String SNAPSHOT_VOLUMES = "snapshotVolumes";

    public JobParameters toJobParameters() {
        try {
            JobParametersBuilder builder = new JobParametersBuilder()
                    .addString(NAME, name, true)
                    .addString(SELECTION, Json.mapper().writeValueAsString(selection), false)
                    .addString(SNAPSHOT_VOLUMES, Boolean.toString(snapshotVolumes), false);
            if (ttl != null) {
                builder.addString(TTL, ttl.toString(), false);
            }
            return builder.toJobParameters();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Only the identifying part, to find an earlier run of the same restore point. */
    public static JobParameters identifying(String name) {
        return new JobParametersBuilder().addString(NAME, name, true).toJobParameters();
    }

    static Selection selection(String json) {
        try {
            return Json.mapper().readValue(json, Selection.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad selection job parameter: " + e.getMessage(), e);
        }
    }
}
