package jobs.backup;

import org.springframework.batch.infrastructure.item.ItemStream;

/**
 * Where a restore point's objects come from, in order: the API server's lists for a backup, an archive for an
 * import. Its position is part of the step's restart state ({@link ItemStream#update}), saved only as far as the
 * packs are stored, so a resumed run hands out each object once.
 */
public interface ItemSource extends ItemStream {

    /** The next object, or null when there is none left. */
    BackupItem read();

    /** True once the last object has been handed out. */
    boolean exhausted();
}
