package jobs.backup;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jobs.kube.ResourceType;
import jobs.hooks.HookResult;
import jobs.store.Manifest;
import jobs.store.Manifest.ChunkRef;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.ResourceCount;
import jobs.store.Manifest.Warning;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.store.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Last step: takes the packs the resources step committed, with the lines of each the restore point holds, and
 * writes the manifest that makes the restore point complete. A pack a crashed run stored past its last commit is
 * left for the purge's sweep.
 */
class FinalizeTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(FinalizeTasklet.class);

    private final RestorePoints restorePoints;
    private final JobRepository jobRepository;
    private final Clock clock;
    private final String name;

    FinalizeTasklet(RestorePoints restorePoints, JobRepository jobRepository, Clock clock, String name) {
        this.restorePoints = restorePoints;
        this.jobRepository = jobRepository;
        this.clock = clock;
        this.name = name;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        JobExecution job = chunkContext.getStepContext().getStepExecution().getJobExecution();
        BackupPlan plan = BackupHandoff.plan(job);
        BackupHandoff.Problems listing = BackupHandoff.problems(jobRepository, job);
        List<ItemError> errors = new ArrayList<>(plan.errors());
        errors.addAll(listing.errors());
        List<Warning> warnings = new ArrayList<>(plan.warnings());
        warnings.addAll(listing.warnings());

        PackRefs packs = PackRefs.committed(jobRepository, job.getJobInstance(), BackupJobConfiguration.RESOURCES_STEP);
        List<ChunkRef> chunks = packs.chunks();
        Map<String, Long> counts = packs.counts();
        Manifest.Storage storage = packs.storage();

        List<ResourceCount> resourceCounts = new ArrayList<>();
        for (ResourceType t : plan.types()) {
            Long n = counts.get(t.qualifiedName());
            if (n != null) {
                resourceCounts.add(new ResourceCount(t.group(), t.version(), t.resource(), t.kind(), t.namespaced(), n));
            }
        }
        long items = chunks.stream().mapToLong(ChunkRef::items).sum();
        List<Manifest.VolumeRecord> volumes = volumes();
        List<HookResult> hooks = restorePoints.hooks(name);
        Manifest manifest = restorePoints.update(name, m -> {
            if (m.phase() == Phase.Deleting) {
                throw new StorageException("restore point '" + name + "' is being deleted by a purge", null);
            }
            return m.finished(clock.instant(), items, resourceCounts, chunks, volumes, errors, warnings, hooks, storage);
        }).orElseThrow(() -> new StorageException("manifest of restore point '" + name + "' disappeared", null));
        restorePoints.bases().set(manifest);
        log.info("Backup {} {}: {} objects in {} packs ({} objects and {} bytes new), {} volumes, {} warnings", name,
                manifest.phase(), items, chunks.size(), storage.newObjects(), storage.newBytes(), manifest.volumes().size(),
                warnings.size());
        return RepeatStatus.FINISHED;
    }

    private List<Manifest.VolumeRecord> volumes() {
        return restorePoints.volumes(name).stream()
                .sorted(java.util.Comparator.comparing(Manifest.VolumeRecord::namespace).thenComparing(Manifest.VolumeRecord::claim))
                .toList();
    }

}
