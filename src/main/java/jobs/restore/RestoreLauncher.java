package jobs.restore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import jobs.config.KbackupProperties;
import jobs.store.Manifest;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import jobs.support.InvalidInputException;
import jobs.run.RunRequest;
import jobs.run.Runs;
import jobs.filter.ResourceFilter;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import jobs.hooks.RestoreHookRules;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** Starts a restore, or resumes the earlier run of the same name, after checking what can be refused. */
@Component
public class RestoreLauncher {

    private final RestorePoints restorePoints;
    private final ReaderMarks readerMarks;
    private final Duration markLifetime;
    private final RestoreRecords records;
    private final Runs runs;
    private final ObjectProvider<Job> restoreJob;
    private final ObjectProvider<RestoreHookRules> hookRules;
    /** The fleet member whose restore points are restored, or null. */
    private final String member;

    RestoreLauncher(RestorePoints restorePoints, RestoreRecords records, Runs runs, ReaderMarks readerMarks,
                    KbackupProperties properties, @Qualifier("restoreJob") ObjectProvider<Job> restoreJob,
                    ObjectProvider<RestoreHookRules> hookRules) {
        this.restorePoints = restorePoints;
        this.readerMarks = readerMarks;
        this.markLifetime = properties.run().leaseDuration();
        this.records = records;
        this.runs = runs;
        this.restoreJob = restoreJob;
        this.hookRules = hookRules;
        this.member = properties.member();
    }

    /**
     * @param modifiers the resource-modifiers file's content, or null
     */
    public JobExecution launch(RestoreParameters parameters, String modifiersSource, String modifiers) throws Exception {
        JobParametersBuilder builder = new JobParametersBuilder(parameters.toJobParameters());
        if (modifiers != null) {
            // The job applies exactly these rules; a restart after the rules failed to be stored fails instead of
            // restoring without them.
            builder.addString(RestoreJobConfiguration.MODIFIERS_DIGEST,
                    RestoreJobConfiguration.digest(modifiers.getBytes(StandardCharsets.UTF_8)), false);
        }
        JobParameters jobParameters = Runs.forMember(builder.toJobParameters(), member);
        return runs.launch(new RunRequest(restoreJob::getObject, jobParameters,
                Runs.forMember(RestoreParameters.identifying(parameters.name()), member), "restore '" + parameters.name() + "'",
                () -> preflight(parameters, jobParameters, modifiersSource, modifiers)));
    }

    /**
     * Marks the restore point as read by this restore before anything else reads it, so a purge that starts now
     * keeps it (a purge already deleting it has marked it Deleting, which the check below refuses); a preflight
     * that refuses takes the mark away again.
     */
    private void preflight(RestoreParameters parameters, JobParameters jobParameters, String modifiersSource, String modifiers) {
        hookRules.getObject(); // bad hook configuration is refused now, naming the key, before anything is marked
        if (restorePoints.find(parameters.backup()).isEmpty()) {
            throw notFound(parameters);
        }
        readerMarks.mark(parameters.backup(), parameters.name(), markLifetime);
        try {
            check(parameters, jobParameters, modifiersSource, modifiers);
        } catch (RuntimeException e) {
            readerMarks.release(parameters.backup(), parameters.name());
            throw e;
        }
    }

    private InvalidInputException notFound(RestoreParameters parameters) {
        return new InvalidInputException("--from: restore point '" + parameters.backup() + "' not found in "
                + restorePoints.store().location());
    }

    private void check(RestoreParameters parameters, JobParameters jobParameters, String modifiersSource, String modifiers) {
        Manifest manifest = restorePoints.findAuthentic(parameters.backup()).orElseThrow(() -> notFound(parameters));
        if (!manifest.phase().isFinished()) {
            throw new InvalidInputException("--from: restore point '" + parameters.backup() + "' is " + manifest.phase()
                    + ", not complete; only Completed or PartiallyFailed restore points can be restored");
        }
        ResourceFilter.resolve(parameters.selection().includeResources(), parameters.selection().excludeResources(),
                RestorePlan.storedTypes(manifest));
        if (!manifest.chunks().isEmpty()) {
            // An encrypted restore point with no key or the wrong one is refused before anything starts.
            restorePoints.readChunk(manifest.name(), manifest.chunks().get(0));
        }
        if (modifiers != null) {
            ResourceModifiers.parse(modifiersSource, modifiers);
        }
        RestoreRecord existing = records.find(parameters.name()).orElse(null);
        if (existing != null && existing.phase().isFinished()) {
            throw new InvalidInputException("restore '" + parameters.name() + "' already exists and is " + existing.phase()
                    + "; choose another --name");
        }
        // A relaunch resumes the restore with the options it started with: other options now would be ignored.
        runs.lastParameters(RestoreJobConfiguration.JOB_NAME, Runs.forMember(RestoreParameters.identifying(parameters.name()), member))
                .map(started -> RestoreParameters.differences(started, jobParameters))
                .filter(changed -> !changed.isEmpty())
                .ifPresent(changed -> {
                    throw new InvalidInputException("restore '" + parameters.name() + "' was started with other options ("
                            + String.join("; ", changed) + "); relaunch it with the options it started with, or choose another --name");
                });
        if (modifiers != null) {
            records.putBlob(parameters.name(), RestoreJobConfiguration.MODIFIERS_BLOB, modifiers.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }
}
