package jobs.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import jobs.support.Json;

/** Restore records in the blob store, next to the restore points they came from. */
public final class RestoreRecords {

    static final String ROOT = "restores/";

    private final BlobStore store;

    public RestoreRecords(BlobStore store) {
        this.store = store;
    }

    public Optional<RestoreRecord> find(String name) {
        return store.get(ROOT + name + "/restore.json").map(bytes -> {
            try {
                return Json.mapper().readValue(bytes, RestoreRecord.class);
            } catch (IOException e) {
                throw new StorageException("record of restore '" + name + "' is not readable: " + e.getMessage(), e);
            }
        });
    }

    public void save(RestoreRecord record) {
        try {
            store.put(ROOT + record.name() + "/restore.json",
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(record), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void putBlob(String name, String blob, byte[] content, Map<String, String> metadata) {
        store.put(ROOT + name + "/" + blob, content, metadata);
    }

    public Optional<byte[]> getBlob(String name, String blob) {
        return store.get(ROOT + name + "/" + blob);
    }
}
