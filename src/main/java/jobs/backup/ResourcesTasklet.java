package jobs.backup;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The resources step's work, one commit per call: reads objects until the commit's new pack holds {@code chunkSize}
 * objects or {@code chunkBytes} uncompressed bytes (or the commit {@value #UNCHANGED_PER_NEW} times
 * {@code chunkSize} objects, unchanged ones included), hands what the selection takes to the writer (which compresses
 * new ones as it goes, and refers to unchanged ones), and seals the commit.
 *
 * <p>A tasklet rather than Spring Batch's chunk-oriented step because that step cuts a commit by object count
 * alone: with 1 MB Helm release Secrets, 2,000 objects would be 2 GB held at once. Here a commit is cut by bytes as
 * well, so memory holds one chunk's compressed bytes whatever the objects' sizes. The restart state is unchanged: the step's
 * streams ({@link StoredCheckpoint}) are updated and committed after every call, as after every chunk before.
 */
class ResourcesTasklet implements Tasklet {

    /**
     * Unchanged objects cost no pack, so a commit may hold more of them: an unchanged cluster then commits (and saves
     * its growing reference list in the job repository) a tenth as often, and a resumed run re-reads at most that.
     */
    static final int UNCHANGED_PER_NEW = 10;

    private final ItemSource reader;
    private final ItemFilter filter;
    private final PackWriter writer;
    private final int chunkSize;
    private final long chunkBytes;

    ResourcesTasklet(ItemSource reader, ItemFilter filter, PackWriter writer, int chunkSize, long chunkBytes) {
        this.reader = reader;
        this.filter = filter;
        this.writer = writer;
        this.chunkSize = chunkSize;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        int kept = 0;
        int read = 0;
        BackupItem item;
        while (writer.fillingNew() < chunkSize && writer.fillingBytes() < chunkBytes
                && writer.fillingObjects() < chunkSize * UNCHANGED_PER_NEW && (item = reader.read()) != null) {
            read++;
            contribution.incrementReadCount();
            BackupItem selected = filter.process(item);
            if (selected == null) {
                contribution.incrementFilterCount();
            } else {
                writer.append(selected);
                kept++;
            }
        }
        writer.seal();
        contribution.incrementWriteCount(kept);
        return read == 0 || reader.exhausted() ? RepeatStatus.FINISHED : RepeatStatus.CONTINUABLE;
    }
}
