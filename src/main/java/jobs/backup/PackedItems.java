package jobs.backup;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import jobs.config.KbackupProperties;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The step that stores a restore point's objects in packs, whatever their source: the backup's resources step, and
 * an import's items step. One commit of one or more packs per call ({@link ResourcesTasklet}), new objects
 * compressed into a pack stored while the next is filled ({@link PackWriter}), and a restart state that never claims
 * a pack in flight
 * ({@link StoredCheckpoint}). Register it as the step's tasklet, stream and listener; {@link #committed} then gives
 * the manifest's packs.
 */
public class PackedItems implements Tasklet, ItemStream, StepExecutionListener {

    private final ResourcesTasklet tasklet;
    private final StoredCheckpoint checkpoint;

    PackedItems(ItemSource source, ItemFilter filter, PackWriter writer, KbackupProperties.Backup settings) {
        this.tasklet = new ResourcesTasklet(source, filter, writer, settings.packObjects(), settings.packBytes().toBytes(),
                settings.commitBytes().toBytes());
        this.checkpoint = new StoredCheckpoint(source, filter, writer);
    }

    /**
     * Stores every object of {@code source} into restore point {@code name}, referring to the objects that
     * {@code base}'s packs hold already instead of storing them again.
     *
     * @param what how progress lines name the work ("Import x")
     */
    public static PackedItems of(ItemSource source, RestorePoints restorePoints, Supplier<Optional<Manifest>> base,
                                 KbackupProperties properties, Clock clock, String name, String what) {
        Logger log = LoggerFactory.getLogger(PackedItems.class);
        KbackupProperties.Backup settings = properties.backup();
        Progress progress = new Progress(what, clock, settings.progressInterval(), log::info);
        PackWriter writer = new PackWriter(restorePoints.packs(), base::get, name, progress, clock,
                settings.compressionLevel(), settings.uploadsInFlight());
        return new PackedItems(source, ItemFilter.NONE, writer, settings);
    }

    /** What the packing step {@code step} of a job instance committed last: the manifest's packs and counts. */
    public static Committed committed(JobRepository jobRepository, JobInstance instance, String step) {
        PackRefs refs = PackRefs.committed(jobRepository, instance, step);
        return new Committed(refs.chunks(), refs.counts(), refs.storage());
    }

    /**
     * The packs a restore point refers to, and what it holds.
     *
     * @param chunks  every pack, with the lines it holds
     * @param counts  objects per type (plural.group)
     * @param storage logical, referenced and new bytes
     */
    public record Committed(List<Manifest.ChunkRef> chunks, Map<String, Long> counts, Manifest.Storage storage) {

        public long items() {
            return chunks.stream().mapToLong(Manifest.ChunkRef::items).sum();
        }
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        return tasklet.execute(contribution, chunkContext);
    }

    @Override
    public void open(ExecutionContext executionContext) {
        checkpoint.open(executionContext);
    }

    @Override
    public void update(ExecutionContext executionContext) {
        checkpoint.update(executionContext);
    }

    @Override
    public void close() {
        checkpoint.close();
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        return checkpoint.afterStep(stepExecution);
    }
}
