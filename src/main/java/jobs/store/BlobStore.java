package jobs.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The storage port: a flat namespace of blobs with small metadata, as Azure Blob and a local folder both offer.
 * Keys are relative to {@code kbackup.storage.prefix} and use '/' as separator. Writes replace whole blobs
 * atomically, so a reader never sees half a blob.
 */
public interface BlobStore {

    void put(String key, byte[] content, Map<String, String> metadata);

    Optional<byte[]> get(String key);

    /** Every blob whose key starts with {@code prefix}, sorted by key. */
    List<BlobEntry> list(String prefix);

    /** The names directly below {@code prefix} (which ends in '/'), without the prefix or trailing '/'. */
    List<String> children(String prefix);

    /** Deletes a blob; a blob that is already gone is not an error. Returns whether it existed. */
    boolean delete(String key);

    /** Deletes many blobs; stores that can batch do (Azure: 256 a request). Blobs already gone are not an error. */
    default void deleteAll(List<String> keys) {
        keys.forEach(this::delete);
    }

    /** Where the blobs are, for messages: a folder or an account and container. */
    String location();

    /**
     * A stored blob.
     *
     * @param key      its key, relative to the store's prefix
     * @param size     bytes
     * @param metadata what was stored with it
     */
    record BlobEntry(String key, long size, Map<String, String> metadata) {
    }
}
