package jobs.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jobs.filter.Selection;
import jobs.support.Json;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What one fleet backup was asked to do. Only the name identifies the run: launching it again reruns the members
 * whose backup did not complete, each resuming its own restore point of that name.
 *
 * @param name            the restore point name, the same in every member's folder
 * @param selections      the members to back up, in order, each with its selection (its overrides over the shared one)
 * @param ttl             how long to keep the restore points, null for each member's policy
 * @param snapshotVolumes whether to snapshot persistent volumes
 * @param parallelism     members backed up at once
 * @param runner          where the partitions run
 */
public record FleetParameters(String name, Map<String, Selection> selections, Duration ttl, boolean snapshotVolumes,
                              int parallelism, jobs.config.Fleet.Runner runner) {

    static final String NAME = "name";
    /** One parameter per member, {@code selection.<name>}: a single value of all of them outgrows the column (2,500). */
    static final String SELECTION = "selection.";
    static final String TTL = "ttl";
    static final String SNAPSHOT_VOLUMES = "snapshotVolumes";
    static final String PARALLELISM = "parallelism";
    static final String RUNNER = "runner";

    public FleetParameters {
        selections = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(selections));
    }

    public List<String> members() {
        return List.copyOf(selections.keySet());
    }

    JobParameters toJobParameters() {
        JobParametersBuilder builder = new JobParametersBuilder()
                .addString(NAME, name, true)
                .addString(SNAPSHOT_VOLUMES, Boolean.toString(snapshotVolumes), false)
                .addString(PARALLELISM, Integer.toString(parallelism), false)
                .addString(RUNNER, runner.name().toLowerCase(java.util.Locale.ROOT), false);
        if (ttl != null) {
            builder.addString(TTL, ttl.toString(), false);
        }
        selections.forEach((member, selection) -> builder.addString(SELECTION + member, Json.write(selection), false));
        return builder.toJobParameters();
    }

    static JobParameters identifying(String name) {
        return new JobParametersBuilder().addString(NAME, name, true).toJobParameters();
    }

    /** The members of a run and their selections, by name. */
    static Map<String, Selection> selections(JobParameters parameters) {
        Map<String, Selection> selections = new java.util.TreeMap<>();
        for (var parameter : parameters.parameters()) {
            if (parameter.name().startsWith(SELECTION)) {
                try {
                    selections.put(parameter.name().substring(SELECTION.length()),
                            Json.mapper().readValue((String) parameter.value(), Selection.class));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("bad job parameter " + parameter.name() + ": " + e.getMessage(), e);
                }
            }
        }
        return selections;
    }
}
