package jobs.backup;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The resources step's work, one commit per call: reads objects until the chunk holds {@code chunkSize} objects or
 * {@code chunkBytes} uncompressed bytes, appends what the selection takes to the chunk (compressed as it goes), and
 * seals it for storing.
 *
 * <p>A tasklet rather than Spring Batch's chunk-oriented step because that step cuts a commit by object count
 * alone: with 1 MB Helm release Secrets, 2,000 objects would be 2 GB held at once. Here a commit is cut by bytes as
 * well, so memory holds one chunk's compressed bytes whatever the objects' sizes. The restart state is unchanged: the step's
 * streams ({@link StoredCheckpoint}) are updated and committed after every call, as after every chunk before.
 */
class ResourcesTasklet implements Tasklet {

    private final ResourceReader reader;
    private final BackupItemFilter filter;
    private final ChunkWriter writer;
    private final int chunkSize;
    private final long chunkBytes;

    ResourcesTasklet(ResourceReader reader, BackupItemFilter filter, ChunkWriter writer, int chunkSize, long chunkBytes) {
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
        while (kept < chunkSize && writer.fillingBytes() < chunkBytes && (item = reader.read()) != null) {
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
