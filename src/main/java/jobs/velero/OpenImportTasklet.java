package jobs.velero;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * First step of an import: records the restore point as InProgress, dated as the Velero backup and naming it as
 * its origin, before any pack is referred to (a purge's sweep then leaves the packs alone).
 */
class OpenImportTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(OpenImportTasklet.class);
    static final String CLUSTER = "(imported from Velero)";

    private final VeleroFiles files;
    private final RestorePoints restorePoints;
    private final Clock clock;
    private final String name;
    private final Duration ttl;
    private final Duration retention;

    OpenImportTasklet(VeleroFiles files, RestorePoints restorePoints, Clock clock, String name, Duration ttl, Duration retention) {
        this.files = files;
        this.restorePoints = restorePoints;
        this.clock = clock;
        this.name = name;
        this.ttl = ttl;
        this.retention = retention;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        VeleroBackup backup = VeleroBackup.of(files);
        Instant started = backup.startedOr(clock.instant());
        Instant expires = backup.expiresAt(ttl, retention, clock.instant());
        Manifest.Origin origin = new Manifest.Origin(Manifest.Origin.VELERO, files.name(), files.where(), backup.formatVersion(),
                backup.phase(), started, backup.completedAt());
        // A restart finds the manifest of its first run, and keeps it.
        if (restorePoints.create(Manifest.importing(name, expires, CLUSTER, backup.selection(), origin))) {
            log.info("Import {}: Velero backup {} from {} ({}), kept until {}", name, files.name(), files.where(),
                    backup.phase() == null ? "no velero-backup.json" : backup.phase(), expires);
        }
        return RepeatStatus.FINISHED;
    }
}
