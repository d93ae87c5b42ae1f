package jobs.store;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import jobs.filter.Selection;
import jobs.support.Json;

/**
 * The newest finished restore point of each selection, {@code bases/<hash of the selection>}: the base whose packs
 * the next backup of that selection refers to. Only a hint: a base that is gone, or not finished, means no base,
 * and the next backup stores everything again.
 */
public final class Bases {

    static final String ROOT = "bases/";

    private final BlobStore store;

    Bases(BlobStore store) {
        this.store = store;
    }

    /** Makes a finished restore point the base of its selection. */
    public void set(Manifest manifest) {
        set(lineage(manifest.selection()), manifest);
    }

    /**
     * Makes a finished restore point the base of {@code lineage}: restore points of one lineage hold mostly the same
     * objects, byte for byte (backups of one selection, imports from one Velero location).
     */
    public void set(String lineage, Manifest manifest) {
        if (manifest.phase().isFinished()) {
            store.put(key(lineage), manifest.name().getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    /** The name of the base of {@code selection}, if one was set. */
    public Optional<String> get(Selection selection) {
        return get(lineage(selection));
    }

    /** The name of the base of {@code lineage}, if one was set. */
    public Optional<String> get(String lineage) {
        return store.get(key(lineage)).map(b -> new String(b, StandardCharsets.UTF_8).trim());
    }

    /** The lineage of kbackup's backups of {@code selection}. */
    static String lineage(Selection selection) {
        return Json.write(selection);
    }

    private static String key(String lineage) {
        return ROOT + ChunkCodec.sha256(lineage.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
