package jobs.store;

import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.batch.BlobBatch;
import com.azure.storage.blob.batch.BlobBatchClient;
import com.azure.storage.blob.batch.BlobBatchClientBuilder;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Blobs in one Azure Blob container, below an optional prefix. The container is created on first write. */
final class AzureBlobStore implements BlobStore {

    /** Azure's limit of sub-requests in one blob batch. */
    private static final int MAX_BATCH = 256;

    private final BlobContainerClient container;
    private final String prefix;
    private volatile boolean containerChecked;

    AzureBlobStore(BlobContainerClient container, String prefix) {
        this.container = container;
        this.prefix = prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) {
        ensureContainer();
        call("write blob '" + key + "'", () -> container.getBlobClient(prefix + key)
                .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(content)).setMetadata(metadata),
                        null, null));
    }

    @Override
    public void putFile(String key, java.nio.file.Path file, Map<String, String> metadata) {
        ensureContainer();
        call("write blob '" + key + "'", () -> {
            container.getBlobClient(prefix + key).uploadFromFileWithResponse(
                    new com.azure.storage.blob.options.BlobUploadFromFileOptions(file.toString()).setMetadata(metadata), null, null);
            return null;
        });
    }

    private void ensureContainer() {
        if (!containerChecked) {
            call("create container", container::createIfNotExists);
            containerChecked = true;
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        return getVersioned(key).map(Versioned::content);
    }

    @Override
    public Optional<InputStream> open(String key) {
        return read(key, () -> container.getBlobClient(prefix + key).openInputStream());
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        return read(key, () -> {
            var response = container.getBlobClient(prefix + key).downloadContentWithResponse(null, null, null, Context.NONE);
            return new Versioned(response.getValue().toBytes(), response.getDeserializedHeaders().getETag());
        });
    }

    /** A read of blob {@code key}: empty when it or its container does not exist. */
    private <T> Optional<T> read(String key, Supplier<T> read) {
        try {
            return Optional.of(read.get());
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_NOT_FOUND || e.getErrorCode() == BlobErrorCode.CONTAINER_NOT_FOUND) {
                return Optional.empty();
            }
            throw failure("read blob '" + key + "'", e);
        } catch (RuntimeException e) {
            throw failure("read blob '" + key + "'", e);
        }
    }

    @Override
    public boolean putIfMatch(String key, byte[] content, Map<String, String> metadata, String version) {
        return putIfMatch(key, BinaryData.fromBytes(content), metadata, version);
    }

    @Override
    public boolean putIfMatch(String key, ByteBuffer content, Map<String, String> metadata, String version) {
        return putIfMatch(key, BinaryData.fromByteBuffer(content.duplicate()), metadata, version);
    }

    private boolean putIfMatch(String key, BinaryData content, Map<String, String> metadata, String version) {
        ensureContainer();
        BlobRequestConditions conditions = version == null
                ? new BlobRequestConditions().setIfNoneMatch("*") : new BlobRequestConditions().setIfMatch(version);
        try {
            container.getBlobClient(prefix + key).uploadWithResponse(new BlobParallelUploadOptions(content)
                    .setMetadata(metadata).setRequestConditions(conditions), null, Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            // 412 when the ETag no longer matches, 409 when a blob exists that should not
            if (e.getStatusCode() == 412 || e.getStatusCode() == 409) {
                return false;
            }
            throw failure("write blob '" + key + "'", e);
        } catch (RuntimeException e) {
            throw failure("write blob '" + key + "'", e);
        }
    }

    @Override
    public List<BlobEntry> list(String keyPrefix) {
        return call("list '" + keyPrefix + "'", () -> {
            List<BlobEntry> entries = new ArrayList<>();
            if (!container.exists()) {
                return entries;
            }
            ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix + keyPrefix)
                    .setDetails(new BlobListDetails().setRetrieveMetadata(true));
            for (BlobItem item : container.listBlobs(options, null)) {
                Map<String, String> metadata = item.getMetadata() == null ? Map.of() : item.getMetadata();
                entries.add(new BlobEntry(item.getName().substring(prefix.length()), item.getProperties().getContentLength(),
                        metadata));
            }
            return entries;
        });
    }

    @Override
    public List<String> children(String keyPrefix) {
        return call("list '" + keyPrefix + "'", () -> {
            List<String> names = new ArrayList<>();
            if (!container.exists()) {
                return names;
            }
            String full = prefix + keyPrefix;
            for (BlobItem item : container.listBlobsByHierarchy("/", new ListBlobsOptions().setPrefix(full), null)) {
                String name = item.getName().substring(full.length());
                names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
            return names;
        });
    }

    @Override
    public boolean delete(String key) {
        return call("delete blob '" + key + "'", () -> container.getBlobClient(prefix + key).deleteIfExists());
    }

    @Override
    public void deleteAll(List<String> keys) {
        BlobBatchClient batch = new BlobBatchClientBuilder(container).buildClient();
        for (int i = 0; i < keys.size(); i += MAX_BATCH) {
            List<String> urls = keys.subList(i, Math.min(keys.size(), i + MAX_BATCH)).stream()
                    .map(k -> container.getBlobClient(prefix + k).getBlobUrl()).toList();
            call("delete " + urls.size() + " blobs", () -> {
                BlobBatch deletes = batch.getBlobBatch();
                List<Response<Void>> responses = urls.stream()
                        .map(url -> deletes.deleteBlob(url, DeleteSnapshotsOptionType.INCLUDE, null)).toList();
                batch.submitBatchWithResponse(deletes, false, null, Context.NONE);
                for (Response<Void> response : responses) {
                    try {
                        response.getStatusCode();
                    } catch (BlobStorageException e) {
                        // A blob that is already gone (a lifecycle rule, an earlier purge that died) is deleted.
                        if (e.getStatusCode() != 404) {
                            throw e;
                        }
                    }
                }
                return null;
            });
        }
    }

    @Override
    public String location() {
        return "Azure Blob container '" + container.getBlobContainerName() + "' at " + container.getAccountUrl();
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    private StorageException failure(String what, RuntimeException e) {
        String reason = e instanceof BlobStorageException b
                ? "HTTP " + b.getStatusCode() + " " + b.getErrorCode()
                : rootMessage(e);
        return new StorageException("cannot " + what + " in " + location() + ": " + reason, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
