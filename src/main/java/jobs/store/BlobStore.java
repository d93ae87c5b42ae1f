package jobs.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Writes a local file as a blob, streamed: for blobs too big to hold (an exported tarball). */
    default void putFile(String key, Path file, Map<String, String> metadata) {
        try {
            put(key, Files.readAllBytes(file), metadata);
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A blob's content as a stream, fetched as it is read: for blobs too big to hold at once (a Velero tarball).
     * Stores override it to stream; this default holds the blob.
     */
    default Optional<InputStream> open(String key) {
        return get(key).map(ByteArrayInputStream::new);
    }

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

    /** A blob with the version it was read at, for {@link #putIfMatch}. */
    Optional<Versioned> getVersioned(String key);

    /**
     * Writes a blob only if it is still at {@code version} (from {@link #getVersioned}), or, for a null version, only
     * if there is none: an optimistic lock, so two writers cannot overwrite each other (Azure: If-Match and
     * If-None-Match; a folder: compare and replace under a file lock).
     *
     * @return false when another writer came first: read again, decide again
     */
    boolean putIfMatch(String key, byte[] content, Map<String, String> metadata, String version);

    /**
     * {@link #putIfMatch(String, byte[], Map, String)} for a buffer's remaining bytes, which it leaves unread. Stores
     * override it to write a direct buffer without copying it onto the heap: the backup keeps its packs off it.
     */
    default boolean putIfMatch(String key, ByteBuffer content, Map<String, String> metadata, String version) {
        byte[] bytes = new byte[content.remaining()];
        content.duplicate().get(bytes);
        return putIfMatch(key, bytes, metadata, version);
    }

    /** Where the blobs are, for messages: a folder or an account and container. */
    String location();

    /** A blob's content and the version it was read at (Azure's ETag, a folder's content hash). */
    record Versioned(byte[] content, String version) {
    }

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
