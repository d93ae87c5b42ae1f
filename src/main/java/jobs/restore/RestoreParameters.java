package jobs.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jobs.filter.Selection;
import jobs.snapshot.VolumePlacement;
import jobs.support.Json;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What one restore was asked to do. Only the name identifies the job instance; launching it again resumes it.
 *
 * @param name             restore name
 * @param backup           restore point to restore from
 * @param selection        what to restore
 * @param namespaceMapping source namespace to target namespace
 * @param policy           existing-resource policy
 * @param restoreVolumes   whether volumes come back from their snapshots
 * @param placement        overrides of the recorded SKU and zone for disks made from snapshots
 * @param dryRun           plan and report only
 */
public record RestoreParameters(String name, String backup, Selection selection, Map<String, String> namespaceMapping,
                                ExistingResourcePolicy policy, boolean restoreVolumes, VolumePlacement placement,
                                boolean dryRun) {

    public RestoreParameters {
        placement = placement == null ? VolumePlacement.AS_RECORDED : placement;
    }

    static final String NAME = "name";
    static final String BACKUP = "backup";
    static final String SELECTION = "selection";
    static final String MAPPING = "namespaceMapping";
    static final String POLICY = "existingResourcePolicy";
    static final String RESTORE_VOLUMES = "restoreVolumes";
    static final String DRY_RUN = "dryRun";
    static final String DISK_SKU = "diskSku";
    static final String ZONE_MAPPING = "zoneMapping";

    public JobParameters toJobParameters() {
        try {
            return new JobParametersBuilder()
                    .addString(NAME, name, true)
                    .addString(BACKUP, backup, false)
                    .addString(SELECTION, Json.mapper().writeValueAsString(selection), false)
                    .addString(MAPPING, Json.mapper().writeValueAsString(namespaceMapping), false)
                    .addString(POLICY, policy.name(), false)
                    .addString(RESTORE_VOLUMES, Boolean.toString(restoreVolumes), false)
                    .addString(DRY_RUN, Boolean.toString(dryRun), false)
                    .addString(DISK_SKU, placement.diskSku() == null ? "" : placement.diskSku(), false)
                    .addString(ZONE_MAPPING, Json.mapper().writeValueAsString(placement.zoneMapping()), false)
                    .toJobParameters();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JobParameters identifying(String name) {
        return new JobParametersBuilder().addString(NAME, name, true).toJobParameters();
    }

    /** The option behind each job parameter, to name what a relaunch changed. */
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(BACKUP, "--from");
        OPTIONS.put(SELECTION, "the selection (--include-*/--exclude-*, --selector)");
        OPTIONS.put(MAPPING, "--namespace-mapping");
        OPTIONS.put(POLICY, "--existing-resource-policy");
        OPTIONS.put(RESTORE_VOLUMES, "--restore-volumes");
        OPTIONS.put(DRY_RUN, "--dry-run");
        OPTIONS.put(DISK_SKU, "--disk-sku");
        OPTIONS.put(ZONE_MAPPING, "--zone-mapping");
        OPTIONS.put(RestoreJobConfiguration.MODIFIERS_DIGEST, "--resource-modifiers (the file's content)");
    }

    /** What differs between the parameters a restore started with and those of a relaunch, one line per option. */
    static List<String> differences(JobParameters started, JobParameters now) {
        List<String> changed = new ArrayList<>();
        OPTIONS.forEach((key, option) -> {
            String was = shown(key, started.getString(key));
            String is = shown(key, now.getString(key));
            if (!Objects.equals(was, is)) {
                changed.add(option + ": " + (key.equals(RestoreJobConfiguration.MODIFIERS_DIGEST) || key.equals(SELECTION)
                        ? "changed" : (was == null ? "none" : was) + ", now " + (is == null ? "none" : is)));
            }
        });
        return changed;
    }

    /** A parameter as its option is given: the policy in lower case, none for an absent one. */
    private static String shown(String key, String value) {
        if (value == null || value.isEmpty() || value.equals("{}")) {
            return null;
        }
        return key.equals(POLICY) ? value.toLowerCase() : value;
    }

    static RestoreParameters of(JobParameters p) {
        try {
            return new RestoreParameters(p.getString(NAME), p.getString(BACKUP),
                    Json.mapper().readValue(p.getString(SELECTION), Selection.class),
                    Json.mapper().readValue(p.getString(MAPPING), new TypeReference<Map<String, String>>() { }),
                    ExistingResourcePolicy.valueOf(p.getString(POLICY)), Boolean.parseBoolean(p.getString(RESTORE_VOLUMES)),
                    placement(p), Boolean.parseBoolean(p.getString(DRY_RUN)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad restore job parameters: " + e.getMessage(), e);
        }
    }

    /** Restores started before placement options existed have none: what the backup recorded applies. */
    private static VolumePlacement placement(JobParameters p) throws JsonProcessingException {
        String sku = p.getString(DISK_SKU);
        String zones = p.getString(ZONE_MAPPING);
        return new VolumePlacement(sku == null || sku.isEmpty() ? null : sku,
                zones == null ? Map.of() : Json.mapper().readValue(zones, new TypeReference<Map<String, String>>() { }));
    }

    String targetNamespace(String source) {
        return source == null ? null : namespaceMapping.getOrDefault(source, source);
    }
}
