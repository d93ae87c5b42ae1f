package jobs.backup;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jobs.kube.Cluster;
import jobs.kube.KnownTypes;
import jobs.snapshot.SnapshotException;
import jobs.snapshot.SnapshotResult;
import jobs.snapshot.Snapshotter;
import jobs.snapshot.VolumeRef;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Snapshots one volume (one partition) and records the outcome in the restore point at once. A volume already
 * recorded as Completed is not snapshotted again. A snapshot that fails is recorded as Failed with its cause and
 * makes the backup PartiallyFailed; it does not stop the other volumes.
 */
class SnapshotVolumeTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(SnapshotVolumeTasklet.class);

    private final Cluster cluster;
    private final Snapshotter snapshotter;
    private final RestorePoints restorePoints;
    private final String backupName;
    private final boolean enabled;
    private final Duration timeout;
    private final String pv;
    private final String namespace;
    private final String claim;

    SnapshotVolumeTasklet(Cluster cluster, Snapshotter snapshotter, RestorePoints restorePoints, String backupName,
                          boolean enabled, Duration timeout, String pv, String namespace, String claim) {
        this.cluster = cluster;
        this.snapshotter = snapshotter;
        this.restorePoints = restorePoints;
        this.backupName = backupName;
        this.enabled = enabled;
        this.timeout = timeout;
        this.pv = pv;
        this.namespace = namespace;
        this.claim = claim;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        Optional<VolumeRecord> done = restorePoints.findVolume(backupName, pv).filter(VolumeRecord::isCompleted);
        if (done.isPresent()) {
            log.info("Volume {} of backup {} already has snapshot {}", pv, backupName, done.get().snapshotId());
            return RepeatStatus.FINISHED;
        }
        restorePoints.saveVolume(backupName, outcome());
        return RepeatStatus.FINISHED;
    }

    private VolumeRecord outcome() {
        String provider = snapshotter.provider();
        Optional<GenericKubernetesResource> object = cluster.get(KnownTypes.PERSISTENT_VOLUMES, null, pv);
        if (object.isEmpty()) {
            return record(null, provider, null, VolumeRecord.FAILED, "PersistentVolume " + pv + " not found", Map.of());
        }
        VolumeRef volume = VolumeRef.of(object.get(), namespace, claim);
        if (!enabled) {
            return record(volume.driver(), provider, null, VolumeRecord.SKIPPED, "snapshots disabled for this backup (--snapshot-volumes false)", Map.of());
        }
        Optional<String> unsupported = snapshotter.unsupportedReason(volume);
        if (unsupported.isPresent()) {
            return record(volume.driver(), provider, null, VolumeRecord.SKIPPED, unsupported.get(), Map.of());
        }
        try {
            SnapshotResult result = snapshotter.snapshot(backupName, volume, timeout);
            log.info("Volume {} ({}/{}) snapshotted: {}", pv, namespace, claim, result.snapshotId());
            return record(volume.driver(), provider, result.snapshotId(), VolumeRecord.COMPLETED, null, result.details());
        } catch (SnapshotException e) {
            log.warn("Volume {} ({}/{}) not snapshotted: {}", pv, namespace, claim, e.getMessage());
            return record(volume.driver(), provider, null, VolumeRecord.FAILED, e.getMessage(), Map.of());
        }
    }

    private VolumeRecord record(String driver, String provider, String snapshotId, String phase, String message,
                                Map<String, String> details) {
        return new VolumeRecord(pv, namespace, claim, driver, provider, snapshotId, phase, message, details);
    }
}
