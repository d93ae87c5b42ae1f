package jobs.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Counts the operations a job asks of its store ({@code kbackup.storage.operations} by operation), so operators see
 * what a backup costs in storage transactions; Azure's own HTTP requests are counted beside it by the store's
 * pipeline ({@code kbackup.storage.http.requests}), retries and batch requests included.
 */
final class MeteredBlobStore implements BlobStore {

    private final BlobStore store;
    private final Counter puts;
    private final Counter gets;
    private final Counter lists;
    private final Counter deletes;
    private final Counter written;

    MeteredBlobStore(BlobStore store, MeterRegistry registry) {
        this.store = store;
        this.puts = counter(registry, "put");
        this.gets = counter(registry, "get");
        this.lists = counter(registry, "list");
        this.deletes = counter(registry, "delete");
        this.written = Counter.builder("kbackup.storage.written").baseUnit("bytes")
                .description("Bytes of blobs written to the store (conditional writes that lost count nothing)").register(registry);
    }

    private static Counter counter(MeterRegistry registry, String operation) {
        return Counter.builder("kbackup.storage.operations").description("Operations asked of the blob store")
                .tag("operation", operation).register(registry);
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) {
        puts.increment();
        store.put(key, content, metadata);
        written.increment(content.length);
    }

    @Override
    public Optional<byte[]> get(String key) {
        gets.increment();
        return store.get(key);
    }

    @Override
    public void putFile(String key, java.nio.file.Path file, Map<String, String> metadata) {
        puts.increment();
        store.putFile(key, file, metadata);
    }

    @Override
    public Optional<InputStream> open(String key) {
        gets.increment();
        return store.open(key);
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        gets.increment();
        return store.getVersioned(key);
    }

    @Override
    public boolean putIfMatch(String key, ByteBuffer content, Map<String, String> metadata, String version) {
        puts.increment();
        int length = content.remaining();
        boolean stored = store.putIfMatch(key, content, metadata, version);
        if (stored) {
            written.increment(length);
        }
        return stored;
    }

    @Override
    public boolean putIfMatch(String key, byte[] content, Map<String, String> metadata, String version) {
        puts.increment();
        boolean stored = store.putIfMatch(key, content, metadata, version);
        if (stored) {
            written.increment(content.length);
        }
        return stored;
    }

    @Override
    public List<BlobEntry> list(String prefix) {
        lists.increment();
        return store.list(prefix);
    }

    @Override
    public List<String> children(String prefix) {
        lists.increment();
        return store.children(prefix);
    }

    @Override
    public boolean delete(String key) {
        deletes.increment();
        return store.delete(key);
    }

    @Override
    public void deleteAll(List<String> keys) {
        deletes.increment(keys.size());
        store.deleteAll(keys);
    }

    @Override
    public String location() {
        return store.location();
    }
}
