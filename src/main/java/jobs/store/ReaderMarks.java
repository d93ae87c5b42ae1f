package jobs.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Marks that a restore is reading a restore point, so that a purge leaves it alone: a small blob
 * {@code backups/<name>/readers/<reader>} whose metadata says until when. The reader renews it while it runs and
 * removes it when done; a mark past its time (a reader that died) counts for nothing. A mark is a blob in the
 * store itself, so it holds across processes, pods and clusters sharing the store, Azure and a folder alike, and
 * any number of restores may read one restore point at once.
 */
public final class ReaderMarks {

    private static final String READERS = "readers/";
    private static final String UNTIL = "until";

    private final BlobStore store;
    private final Clock clock;

    public ReaderMarks(BlobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Marks (or renews) {@code reader} as reading {@code restorePoint} for the next {@code ttl}. */
    public void mark(String restorePoint, String reader, Duration ttl) {
        store.put(key(restorePoint, reader), new byte[0], Map.of(UNTIL, clock.instant().plus(ttl).toString()));
    }

    public void release(String restorePoint, String reader) {
        store.delete(key(restorePoint, reader));
    }

    /** The readers of a restore point whose marks have not expired, as "reader (until instant)". */
    public List<String> active(String restorePoint) {
        Instant now = clock.instant();
        List<String> readers = new ArrayList<>();
        String prefix = RestorePoints.folder(restorePoint) + READERS;
        for (BlobStore.BlobEntry entry : store.list(prefix)) {
            try {
                Instant until = Instant.parse(entry.metadata().getOrDefault(UNTIL, ""));
                if (until.isAfter(now)) {
                    readers.add(entry.key().substring(prefix.length()) + " (until " + until + ")");
                }
            } catch (DateTimeParseException e) {
                // not a mark kbackup wrote: it protects nothing
            }
        }
        return readers;
    }

    private static String key(String restorePoint, String reader) {
        return RestorePoints.folder(restorePoint) + READERS + reader;
    }
}
