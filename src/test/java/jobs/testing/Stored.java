package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.RestorePoints;
import jobs.store.StoreConfiguration;

/** Reads what a test's kbackup runs stored, through the production store code. */
public final class Stored {

    private Stored() {
    }

    public static RestorePoints filesystem(Path dir) {
        return new RestorePoints(StoreConfiguration.create(new KbackupProperties.Storage(KbackupProperties.StorageType.FILESYSTEM,
                "", new KbackupProperties.Filesystem(dir.resolve("backups")), azureDefaults(null, "kbackup"))));
    }

    public static RestorePoints azure(String container) {
        return new RestorePoints(StoreConfiguration.create(new KbackupProperties.Storage(KbackupProperties.StorageType.AZURE_BLOB,
                "", new KbackupProperties.Filesystem(Path.of("unused")), azureDefaults(Azurite.shared().connectionString(), container))));
    }

    /** The blobs below {@code prefix} of an Azurite container: where a Velero storage location beside kbackup's is. */
    public static jobs.store.BlobStore azureBlobs(String container, String prefix) {
        return StoreConfiguration.sibling(new KbackupProperties.Storage(KbackupProperties.StorageType.AZURE_BLOB, "",
                new KbackupProperties.Filesystem(Path.of("unused")), azureDefaults(Azurite.shared().connectionString(), container)), prefix);
    }

    /** The files below a local folder, as blobs. */
    public static jobs.store.BlobStore folder(Path root) {
        return StoreConfiguration.folder(root);
    }

    private static KbackupProperties.Azure azureDefaults(String connectionString, String container) {
        return new KbackupProperties.Azure(connectionString, null, container, 2, Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /** How many packs the store holds, of every restore point: a running backup's progress. */
    public static int packs(RestorePoints restorePoints) {
        return (int) restorePoints.store().list(Packs.ROOT).stream().filter(e -> e.key().endsWith(".jsonl.gz")).count();
    }

    public static Manifest manifest(RestorePoints restorePoints, String name) {
        return restorePoints.find(name).orElseThrow(() -> new AssertionError("no restore point " + name));
    }

    /** Every stored object, in stored order, after checking every chunk's SHA-256. */
    public static List<JsonNode> objects(RestorePoints restorePoints, String name) {
        List<JsonNode> objects = new ArrayList<>();
        restorePoints.forEachObject(manifest(restorePoints, name), objects::add);
        return objects;
    }

    /** Every stored object as {@code Kind namespace/name} (or {@code Kind name}), in stored order. */
    public static List<String> keys(RestorePoints restorePoints, String name) {
        return objects(restorePoints, name).stream().map(Stored::key).toList();
    }

    public static String key(JsonNode o) {
        JsonNode meta = o.path("metadata");
        String ns = meta.path("namespace").asText("");
        return o.path("kind").asText() + " " + (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText();
    }
}
