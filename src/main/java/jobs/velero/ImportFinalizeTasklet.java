package jobs.velero;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jobs.backup.PackedItems;
import jobs.kube.ResourceType;
import jobs.store.Manifest;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.ResourceCount;
import jobs.store.Manifest.Warning;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.store.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Last step of an import: writes the manifest that makes the restore point complete, with the packs the items step
 * committed, and makes it the base of the next import from the same location. A Velero backup that was
 * PartiallyFailed gives a PartiallyFailed restore point, saying so.
 */
class ImportFinalizeTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(ImportFinalizeTasklet.class);

    private final RestorePoints restorePoints;
    private final Clock clock;
    private final String name;
    private final String lineage;
    private final ItemsRead read;
    private final PackedItems.Committed packs;

    ImportFinalizeTasklet(RestorePoints restorePoints, Clock clock, String name, String lineage, ItemsRead read,
                          PackedItems.Committed packs) {
        this.restorePoints = restorePoints;
        this.clock = clock;
        this.name = name;
        this.lineage = lineage;
        this.read = read;
        this.packs = packs;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        List<ResourceCount> counts = new ArrayList<>();
        for (ResourceType t : read.types().values()) {
            Long n = packs.counts().get(t.qualifiedName());
            if (n != null) {
                counts.add(new ResourceCount(t.group(), t.version(), t.resource(), t.kind(), t.namespaced(), n));
            }
        }
        List<Warning> warnings = new ArrayList<>();
        if (read.otherVersions() > 0) {
            warnings.add(new Warning("api-versions", read.otherVersions() + " copies in other API versions than the preferred "
                    + "one left out: each item is imported in its preferred version"));
        }
        List<Manifest.VolumeRecord> volumes = restorePoints.volumes(name).stream()
                .sorted(Comparator.comparing(Manifest.VolumeRecord::namespace).thenComparing(Manifest.VolumeRecord::claim)
                        .thenComparing(Manifest.VolumeRecord::persistentVolume))
                .toList();
        Manifest manifest = restorePoints.update(name, m -> {
            if (m.phase() == Phase.Deleting) {
                throw new StorageException("restore point '" + name + "' is being deleted by a purge", null);
            }
            Manifest.Origin origin = m.origin();
            List<ItemError> errors = new ArrayList<>();
            if (origin != null && "PartiallyFailed".equals(origin.phase())) {
                errors.add(new ItemError(null, null, null, "the Velero backup " + origin.backup() + " was PartiallyFailed; "
                        + "everything it holds is imported"));
            }
            return m.finished(origin != null && origin.completedAt() != null ? origin.completedAt() : clock.instant(),
                    packs.items(), counts, packs.chunks(), volumes, errors, warnings, List.of(), packs.storage());
        }).orElseThrow(() -> new StorageException("manifest of restore point '" + name + "' disappeared", null));
        restorePoints.bases().set(lineage, manifest);
        log.info("Import {} {}: {} objects in {} packs ({} objects and {} bytes new), {} volumes", name, manifest.phase(),
                manifest.itemCount(), manifest.chunks().size(), manifest.storage().newObjects(), manifest.storage().newBytes(),
                volumes.size());
        return RepeatStatus.FINISHED;
    }
}
