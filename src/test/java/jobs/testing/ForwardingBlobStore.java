package jobs.testing;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jobs.store.BlobStore;

/** A store that passes everything on to another; {@link #beforeWrite} is called before each write or delete. */
public abstract class ForwardingBlobStore implements BlobStore {

    private final BlobStore store;

    protected ForwardingBlobStore(BlobStore store) {
        this.store = store;
    }

    /** Called before every write or delete: a fault injected here stops it. */
    protected void beforeWrite() {
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) {
        beforeWrite();
        store.put(key, content, metadata);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return store.get(key);
    }

    @Override
    public void putFile(String key, java.nio.file.Path file, Map<String, String> metadata) {
        store.putFile(key, file, metadata);
    }

    @Override
    public Optional<java.io.InputStream> open(String key) {
        return store.open(key);
    }

    @Override
    public List<BlobEntry> list(String prefix) {
        return store.list(prefix);
    }

    @Override
    public List<String> children(String prefix) {
        return store.children(prefix);
    }

    @Override
    public boolean delete(String key) {
        beforeWrite();
        return store.delete(key);
    }

    @Override
    public void deleteAll(List<String> keys) {
        for (String key : keys) {
            delete(key);
        }
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        return store.getVersioned(key);
    }

    @Override
    public boolean putIfMatch(String key, ByteBuffer content, Map<String, String> metadata, String version) {
        beforeWrite();
        return store.putIfMatch(key, content, metadata, version);
    }

    @Override
    public boolean putIfMatch(String key, byte[] content, Map<String, String> metadata, String version) {
        beforeWrite();
        return store.putIfMatch(key, content, metadata, version);
    }

    @Override
    public String location() {
        return store.location();
    }
}
