package jobs.velero;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import jobs.backup.AbandonedBackups;
import jobs.config.KbackupProperties;
import jobs.run.RunRequest;
import jobs.run.Runs;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Starts an import of a Velero backup, or resumes the earlier run of the same restore point. Everything that can be
 * refused is checked before the job starts, so a refused import writes nothing: a missing or unreadable file, a
 * Velero backup that is not whole (Failed, InProgress, ...), a name taken by another restore point, and a damaged
 * tarball. The tarball is read through once for that check (streamed, items parsed and dropped), so damage found
 * anywhere in it refuses the import before its first write.
 */
@Component
public class ImportLauncher {

    private static final Logger log = LoggerFactory.getLogger(ImportLauncher.class);

    private final RestorePoints restorePoints;
    private final KbackupProperties properties;
    private final Runs runs;
    private final AbandonedBackups abandoned;
    private final ObjectProvider<Job> importJob;
    private final Clock clock;

    ImportLauncher(RestorePoints restorePoints, KbackupProperties properties, Runs runs, AbandonedBackups abandoned,
                   @Qualifier("importVeleroJob") ObjectProvider<Job> importJob, Clock clock) {
        this.restorePoints = restorePoints;
        this.properties = properties;
        this.runs = runs;
        this.abandoned = abandoned;
        this.importJob = importJob;
        this.clock = clock;
    }

    /** The name a restore point imported from {@code source} gets by default: the Velero backup's. */
    public String defaultName(VeleroLocation source) {
        return VeleroFiles.of(source, properties.storage()).name();
    }

    /** The backups of the Velero storage location {@code location} names, by name. */
    public List<String> backups(VeleroLocation location) {
        return VeleroFiles.backups(location, properties.storage());
    }

    /** Runs the import to its end and returns the last execution. */
    public JobExecution launch(ImportParameters parameters) throws Exception {
        String member = properties.member();
        return runs.launch(new RunRequest(importJob::getObject, Runs.forMember(parameters.toJobParameters(), member),
                Runs.forMember(ImportParameters.identifying(parameters.name()), member), "import '" + parameters.name() + "'",
                () -> preflight(parameters)));
    }

    /**
     * Why {@code source} cannot be imported as {@code name} without running anything, or empty when it can: for
     * {@code --all}, which passes over what it cannot or need not import.
     */
    public Optional<String> whyNot(VeleroLocation source, String name, Duration ttl) {
        try {
            VeleroFiles files = VeleroFiles.of(source, properties.storage());
            VeleroBackup backup = VeleroBackup.of(files);
            checkPhase(files, backup);
            checkName(name, files);
            checkExpiry(files, backup, ttl);
            return Optional.empty();
        } catch (InvalidInputException | VeleroFormatException e) {
            return Optional.of(e.getMessage());
        }
    }

    private void preflight(ImportParameters parameters) {
        VeleroFiles files = VeleroFiles.of(parameters.source(), properties.storage());
        try {
            VeleroBackup backup = VeleroBackup.of(files);
            checkPhase(files, backup);
            checkName(parameters.name(), files);
            checkExpiry(files, backup, parameters.ttl());
            long start = System.nanoTime();
            VeleroArchive.Summary summary = VeleroArchive.check(files.openTarball(), files.describeTarball(),
                    Math.max(1, Runtime.getRuntime().availableProcessors()));
            log.info("Checked {}: {} items, whole and well-formed, in {} s", files.describeTarball(), summary.items(),
                    String.format("%.2f", (System.nanoTime() - start) / 1e9));
        } catch (VeleroFormatException e) {
            throw new InvalidInputException(e.getMessage());
        }
        // Every check has passed: from here on the launch writes, and first tidies up after dead runs.
        abandoned.sweep();
    }

    private static void checkPhase(VeleroFiles files, VeleroBackup backup) {
        if (!backup.importable()) {
            throw new InvalidInputException(files.describe(VeleroFiles.BACKUP_OBJECT) + ": the Velero backup is " + backup.phase()
                    + "; only Completed and PartiallyFailed backups are whole");
        }
    }

    /** An import that the next purge would delete is refused: a migration's rerun would import it again and again. */
    private void checkExpiry(VeleroFiles files, VeleroBackup backup, Duration ttl) {
        Instant expires = backup.expiresAt(ttl, properties.policy().retention(), clock.instant());
        if (!expires.isAfter(clock.instant())) {
            throw new InvalidInputException("Velero backup " + files.name() + " expired at " + expires + (ttl == null
                    ? " (Velero's expiration); keep it longer with --ttl, counted from its start" : " (--ttl from its start)"));
        }
    }

    /** A name held by another restore point is refused; one held by this import, finished, says so; unfinished, resumes. */
    private void checkName(String name, VeleroFiles files) {
        Manifest existing = restorePoints.find(name).orElse(null);
        if (existing == null) {
            return;
        }
        Manifest.Origin origin = existing.origin();
        boolean same = origin != null && Manifest.Origin.VELERO.equals(origin.tool()) && files.name().equals(origin.backup())
                && files.where().equals(origin.location());
        if (!same) {
            throw new InvalidInputException("restore point '" + name + "' already exists and is not an import of Velero backup "
                    + files.name() + " from " + files.where() + "; choose another name with --restore-point");
        }
        if (existing.phase().isFinished()) {
            throw new InvalidInputException("Velero backup " + files.name() + " is imported already, as restore point '" + name
                    + "' (" + existing.phase() + ")");
        }
    }

    /**
     * What an import of {@code source} would write, read from the tarball without writing anything: the dry run.
     *
     * @param backup  what velero-backup.json says
     * @param summary the tarball's items, copies and versions
     * @param types   items per type ({@code resource.group})
     * @param volumes the volume records it would get
     */
    public record Preview(String backup, String phase, String where, VeleroArchive.Summary summary, Map<String, Long> types,
                          List<Manifest.VolumeRecord> volumes) {
    }

    /** The dry run of an import as {@code name}: whatever the import would refuse, it refuses alike. */
    public Preview preview(VeleroLocation source, String name, Duration ttl) {
        VeleroFiles files = VeleroFiles.of(source, properties.storage());
        try {
            VeleroBackup backup = VeleroBackup.of(files);
            checkPhase(files, backup);
            checkName(name == null ? files.name() : name, files);
            checkExpiry(files, backup, ttl);
            Map<String, Long> types = new TreeMap<>();
            Map<String, ItemsRead.BoundVolume> volumes = new TreeMap<>();
            VeleroArchive.Summary summary = VeleroArchive.read(files.openTarball(), files.describeTarball(), item -> {
                String type = VeleroItemSource.type(item).qualifiedName();
                types.merge(type, 1L, Long::sum);
                if (type.equals("persistentvolumes")) {
                    volumes.put(item.name(), VeleroItemSource.bound(item.object()));
                }
            });
            return new Preview(files.name(), backup.phase(), files.where(), summary, types, VeleroVolumes.of(volumes, files));
        } catch (VeleroFormatException e) {
            throw new InvalidInputException(e.getMessage());
        }
    }
}
