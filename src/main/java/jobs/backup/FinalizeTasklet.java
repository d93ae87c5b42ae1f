package jobs.backup;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jobs.kube.ResourceType;
import jobs.hooks.HookResult;
import jobs.store.BlobStore.BlobEntry;
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
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Last step: collects the committed chunk blobs with their SHA-256 and counts, removes any blob a crashed run
 * wrote past the last commit, and writes the manifest that makes the restore point complete.
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
        StepExecution resources = jobRepository.getLastStepExecution(job.getJobInstance(), BackupJobConfiguration.RESOURCES_STEP);
        ExecutionContext state = resources.getExecutionContext();
        int committed = state.getInt(ChunkWriter.NEXT_CHUNK, 0);
        BackupPlan plan = BackupPlan.fromJson(job.getExecutionContext().getString(DiscoverTasklet.PLAN));
        List<ItemError> errors = new ArrayList<>(plan.errors());
        if (state.containsKey(ResourceReader.ERRORS)) {
            errors.addAll(ResourceReader.readErrors(state.getString(ResourceReader.ERRORS)));
        }
        List<Warning> warnings = new ArrayList<>(plan.warnings());
        if (state.containsKey(ResourceReader.WARNINGS)) {
            warnings.addAll(ResourceReader.readWarnings(state.getString(ResourceReader.WARNINGS)));
        }

        List<ChunkRef> chunks = new ArrayList<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (BlobEntry entry : restorePoints.storedChunks(name)) {
            int index = chunkIndex(entry.key());
            if (index >= committed) {
                log.info("Removing chunk {} of {} written after the last commit", entry.key(), name);
                restorePoints.deleteBlob(name, entry.key());
                continue;
            }
            if (index != chunks.size()) {
                throw new StorageException("restore point '" + name + "' lacks chunk " + RestorePoints.chunkBlob(chunks.size()), null);
            }
            Map<String, Long> perType = ChunkWriter.counts(restorePoints, name, index, entry.metadata());
            chunks.add(RestorePoints.chunkRef(entry, Long.parseLong(entry.metadata().get(ChunkWriter.META_ITEMS)), perType));
            perType.forEach((k, v) -> counts.merge(k, v, Long::sum));
        }
        if (chunks.size() != committed) {
            throw new StorageException("restore point '" + name + "' lacks chunk " + RestorePoints.chunkBlob(chunks.size()), null);
        }

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
            return m.finished(clock.instant(), items, resourceCounts, chunks, volumes, errors, warnings, hooks);
        }).orElseThrow(() -> new StorageException("manifest of restore point '" + name + "' disappeared", null));
        log.info("Backup {} {}: {} objects in {} chunks, {} volumes, {} warnings", name, manifest.phase(), items,
                chunks.size(), manifest.volumes().size(), warnings.size());
        return RepeatStatus.FINISHED;
    }

    private List<Manifest.VolumeRecord> volumes() {
        return restorePoints.volumes(name).stream()
                .sorted(java.util.Comparator.comparing(Manifest.VolumeRecord::namespace).thenComparing(Manifest.VolumeRecord::claim))
                .toList();
    }

    private static int chunkIndex(String blob) {
        String file = blob.substring(blob.lastIndexOf('/') + 1);
        return Integer.parseInt(file.substring(0, file.indexOf('.')));
    }
}
