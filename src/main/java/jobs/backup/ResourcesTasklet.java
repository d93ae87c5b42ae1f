package jobs.backup;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The resources step's work, one commit per call. A commit fills packs one after the other: a pack's part of the
 * objects ends when its new pack holds {@code packObjects} objects or {@code packBytes} uncompressed bytes (or the
 * part holds {@value #UNCHANGED_PER_NEW} times {@code packObjects} objects, unchanged ones included), and the writer
 * seals it. The commit ends after the part that brings it to {@code packObjects} objects or {@code commitBytes} new
 * bytes. Ordinary objects fill a pack by count, so a commit is one pack; 1 MB Helm release Secrets fill a pack every
 * four objects, and a commit then spans sixteen packs, so the restart state (which lists every pack referred to so
 * far, and grows with the backup) is saved a sixteenth as often.
 *
 * <p>A tasklet rather than Spring Batch's chunk-oriented step because that step cuts a commit by object count
 * alone: with 1 MB Helm release Secrets, 2,000 objects would be 2 GB held at once. Here a pack is cut by bytes as
 * well, and packs are sealed and stored as they fill, so memory holds one pack's compressed bytes (and those in
 * flight) whatever the objects' sizes and whatever the commit's. The step's streams ({@link StoredCheckpoint}) are
 * updated and committed after every call.
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
    private final int packObjects;
    private final long packBytes;
    private final long commitBytes;

    ResourcesTasklet(ItemSource reader, ItemFilter filter, PackWriter writer, int packObjects, long packBytes, long commitBytes) {
        this.reader = reader;
        this.filter = filter;
        this.writer = writer;
        this.packObjects = packObjects;
        this.packBytes = packBytes;
        this.commitBytes = commitBytes;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        int kept = 0;
        int read = 0;
        int objects = 0;
        long bytes = 0;
        boolean ended = false;
        while (!ended && objects < packObjects && bytes < commitBytes) {
            while (writer.fillingNew() < packObjects && writer.fillingBytes() < packBytes
                    && writer.fillingObjects() < packObjects * UNCHANGED_PER_NEW) {
                BackupItem item = reader.read();
                if (item == null) {
                    ended = true;
                    break;
                }
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
            objects += writer.fillingObjects();
            bytes += writer.fillingBytes();
            writer.seal();
        }
        contribution.incrementWriteCount(kept);
        return read == 0 || reader.exhausted() ? RepeatStatus.FINISHED : RepeatStatus.CONTINUABLE;
    }
}
