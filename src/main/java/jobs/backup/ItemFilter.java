package jobs.backup;

import org.springframework.batch.infrastructure.item.ItemStream;

/** Decides what of a source's objects goes into the restore point; what it remembers is restart state. */
interface ItemFilter extends ItemStream {

    /** Takes everything: an import keeps what the archive holds. */
    ItemFilter NONE = item -> item;

    /** The object to store, or null to leave it out. */
    BackupItem process(BackupItem item);
}
