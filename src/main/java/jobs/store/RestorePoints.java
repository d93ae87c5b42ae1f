package jobs.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.crypto.AEADBadTagException;
import jobs.support.InvalidInputException;
import jobs.hooks.HookResult;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore points in a blob store. Layout, format version 2:
 * <pre>
 * backups/&lt;name&gt;/manifest.json          the index (see {@link Manifest}): which lines of which packs it holds
 * backups/&lt;name&gt;/volumes/&lt;pv&gt;.json         one volume's snapshot outcome, collected into the manifest
 * packs/&lt;address&gt;.jsonl.gz              objects, shared by restore points (see {@link Packs})
 * </pre>
 * Format 1 restore points keep their objects in {@code backups/<name>/chunks/000000.jsonl.gz} and on; they are read,
 * restored and purged as before.
 * Storage is the source of truth: everything {@code list} and {@code describe} show comes from here, never from
 * the job repository.
 */
public final class RestorePoints {

    static final String ROOT = "backups/";
    static final String MANIFEST = "manifest.json";
    private static final String HOOKS = "hooks/";
    private static final int MAX_UPDATE_ATTEMPTS = 50;
    static final String CHUNKS = "chunks/";
    static final String VOLUMES = "volumes/";

    static final String META_SHA256 = "sha256";
    static final String META_KEY_ID = "keyId";

    private static final Logger log = LoggerFactory.getLogger(RestorePoints.class);

    private final BlobStore store;
    private final Keyring keyring;
    private final boolean acceptUnauthenticated;
    private final Packs packs;
    private final Bases bases;

    public RestorePoints(BlobStore store) {
        this(store, null, false);
    }

    /**
     * @param keyring               encrypts new chunks and authenticates new manifests with its active key, and
     *                              opens and verifies with any of its keys; null for no encryption
     * @param acceptUnauthenticated whether an encrypted restore point's manifest may lack its authentication code
     *                              (restore points written before manifests were authenticated)
     */
    public RestorePoints(BlobStore store, Keyring keyring, boolean acceptUnauthenticated) {
        this.store = store;
        this.keyring = keyring;
        this.acceptUnauthenticated = acceptUnauthenticated;
        this.packs = new Packs(store, keyring);
        this.bases = new Bases(store);
    }

    public BlobStore store() {
        return store;
    }

    /** The packs restore points share, sealed with this keyring. */
    public Packs packs() {
        return packs;
    }

    public Bases bases() {
        return bases;
    }

    /**
     * The base of a backup of {@code selection}: the newest finished restore point of that selection, of format 2,
     * if there is one and it can be trusted.
     */
    public Optional<Manifest> base(jobs.filter.Selection selection) {
        return base(Bases.lineage(selection));
    }

    /** The base of a restore point of {@code lineage} (see {@link Bases#set(String, Manifest)}). */
    public Optional<Manifest> base(String lineage) {
        return bases.get(lineage).flatMap(name -> {
            try {
                return find(name);
            } catch (RuntimeException e) {
                log.warn("Not using restore point {} as a base: {}", name, e.getMessage());
                return Optional.empty();
            }
        }).filter(m -> m.phase().isFinished() && m.formatVersion() >= 2);
    }

    /**
     * The manifest of restore point {@code name}, if it has one.
     *
     * @throws DamagedRestorePointException when the manifest was altered after it was written (with a keyring), or
     *                                      belongs to another restore point
     */
    public Optional<Manifest> find(String name) {
        return read(name).map(ManifestCodec.Read::manifest);
    }

    /**
     * Like {@link #find}, for what trusts the manifest's content (a restore, a verification): with a keyring, a
     * manifest whose authentication key is not in it is refused too, naming the key.
     */
    public Optional<Manifest> findAuthentic(String name) {
        return read(name).map(read -> {
            if (read.seal() == ManifestCodec.Seal.UNVERIFIABLE) {
                throw new InvalidInputException("restore point '" + name + "' is authenticated with key '" + read.keyId()
                        + "', which is not in the keyring (it has " + keyring.ids() + "); add it to kbackup.encryption.keys");
            }
            return read.manifest();
        });
    }

    private Optional<ManifestCodec.Read> read(String name) {
        return store.get(folder(name) + MANIFEST).map(bytes -> decode(name, bytes));
    }

    private ManifestCodec.Read decode(String name, byte[] bytes) {
        ManifestCodec.Read read;
        try {
            read = ManifestCodec.read(bytes, keyring, acceptUnauthenticated);
        } catch (IOException | ClassCastException e) {
            throw new StorageException("manifest of restore point '" + name + "' in " + store.location()
                    + " is not readable: " + e.getMessage(), e);
        }
        if (read.seal() == ManifestCodec.Seal.TAMPERED) {
            refuseIfWrongKey(name, read);
            throw new DamagedRestorePointException(name, MANIFEST, read.keyId() == null
                    ? "carries no authentication code, though its chunks are encrypted (set "
                    + "kbackup.encryption.accept-unauthenticated=true for restore points written before 0.2)"
                    : "was altered after it was written: its authentication code (key '" + read.keyId() + "') does not match");
        }
        if (!name.equals(read.manifest().name())) {
            throw new DamagedRestorePointException(name, MANIFEST, "belongs to restore point '" + read.manifest().name() + "'");
        }
        return read;
    }

    /**
     * A code that does not verify means an altered manifest, or a key of the same id but other bytes: the first
     * chunk under that key tells which, since it cannot be opened with the wrong key either.
     */
    private void refuseIfWrongKey(String name, ManifestCodec.Read read) {
        read.manifest().chunks().stream().filter(c -> read.keyId() != null && read.keyId().equals(c.keyId())).findFirst()
                .ifPresent(chunk -> store.get(key(name, chunk)).ifPresent(bytes -> {
                    try {
                        keyring.open(bytes, place(name, chunk), chunk.keyId());
                    } catch (AEADBadTagException e) {
                        throw new InvalidInputException("restore point '" + name + "' cannot be decrypted: the configured key '"
                                + chunk.keyId() + "' is not the key it was encrypted with (blob " + key(name, chunk) + ")");
                    }
                }));
    }

    /**
     * Writes the manifest of a new restore point.
     *
     * @return false when restore point {@code manifest.name()} exists already
     */
    public boolean create(Manifest manifest) {
        return store.putIfMatch(folder(manifest.name()) + MANIFEST, encode(manifest), Map.of(), null);
    }

    /**
     * Changes a manifest by read, change, conditional write, again until no other writer came in between: two
     * writers (a purge marking it Deleting, a backup finishing it, a restart resuming it) never overwrite each
     * other's change. {@code change} sees the manifest as stored and may return it unchanged to write nothing.
     *
     * @return the manifest as written, or empty when the restore point has none
     */
    public Optional<Manifest> update(String name, UnaryOperator<Manifest> change) {
        String key = folder(name) + MANIFEST;
        for (int attempt = 1; ; attempt++) {
            Optional<BlobStore.Versioned> stored = store.getVersioned(key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            Manifest current = decode(name, stored.get().content()).manifest();
            Manifest changed = change.apply(current);
            if (changed == current || store.putIfMatch(key, encode(changed), Map.of(), stored.get().version())) {
                return Optional.of(changed);
            }
            if (attempt == MAX_UPDATE_ATTEMPTS) {
                throw new StorageException("manifest of restore point '" + name + "' in " + store.location() + " kept changing under "
                        + MAX_UPDATE_ATTEMPTS + " attempts to update it", null);
            }
            log.debug("Manifest of {} changed while it was updated; reading it again (attempt {})", name, attempt);
            backOff(attempt);
        }
    }

    /** A random pause growing with the attempts, so writers that keep colliding fall out of step. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(500, 10L * attempt) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while updating a manifest", e);
        }
    }

    private byte[] encode(Manifest manifest) {
        try {
            return ManifestCodec.write(manifest, keyring);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every restore point with a trustworthy manifest, newest first; a damaged one is left out, with an error logged. */
    public List<Manifest> list() {
        List<Manifest> manifests = new ArrayList<>();
        for (String name : store.children(ROOT)) {
            try {
                find(name).ifPresent(manifests::add);
            } catch (DamagedRestorePointException e) {
                log.error("Leaving out restore point {}: {}", name, e.getMessage());
            }
        }
        manifests.sort(Comparator.comparing(Manifest::startedAt, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(Manifest::name));
        return manifests;
    }

    /** Key of chunk {@code index} of a format 1 restore point, relative to its folder. */
    public static String chunkBlob(int index) {
        return CHUNKS + String.format("%06d.jsonl.gz", index);
    }

    /** The store key of a chunk: a pack's is its own (from the store's root), a format 1 chunk's is in the folder. */
    static String key(String name, Manifest.ChunkRef chunk) {
        return Packs.isPack(chunk.blob()) ? chunk.blob() : folder(name) + chunk.blob();
    }

    /** What a chunk's encryption authenticates as its place: a pack's address, or a format 1 chunk's restore point. */
    private static String place(String name, Manifest.ChunkRef chunk) {
        return Packs.isPack(chunk.blob()) ? chunk.blob() : name + "/" + chunk.blob();
    }

    /**
     * Hands every object of a restore point to {@code consumer}, chunk by chunk, after checking each chunk against
     * the SHA-256 its manifest records. Memory holds one chunk at a time.
     *
     * @throws DamagedRestorePointException naming the blob when a chunk is missing or its content changed
     */
    public void forEachObject(Manifest manifest, Consumer<JsonNode> consumer) {
        for (Manifest.ChunkRef chunk : manifest.chunks()) {
            try (ChunkCodec.Objects objects = objects(manifest.name(), chunk)) {
                objects.forEachRemaining(consumer);
            }
        }
    }

    /**
     * The objects of one chunk that belong to the restore point, read lazily; the chunk is checked against its
     * recorded SHA-256 and decrypted first.
     */
    public ChunkCodec.Objects objects(String name, Manifest.ChunkRef chunk) {
        return ChunkCodec.decode(readChunk(name, chunk), chunk.ranges(), () -> new DamagedRestorePointException(name,
                key(name, chunk), "cannot be decoded"));
    }

    /** Reads one chunk, checks it against its recorded SHA-256, and decrypts it if it was encrypted. */
    public byte[] readChunk(String name, Manifest.ChunkRef chunk) {
        String key = key(name, chunk);
        byte[] bytes = store.get(key).orElseThrow(() -> new DamagedRestorePointException(name, key, "is missing"));
        String actual = ChunkCodec.sha256(bytes);
        if (!actual.equals(chunk.sha256())) {
            throw new DamagedRestorePointException(name, key,
                    "has SHA-256 " + actual + " but the manifest records " + chunk.sha256());
        }
        if (chunk.keyId() == null) {
            return bytes;
        }
        checkKey(name, chunk);
        try {
            return keyring.open(bytes, place(name, chunk), chunk.keyId());
        } catch (AEADBadTagException e) {
            throw new InvalidInputException("restore point '" + name + "' cannot be decrypted: the configured "
                    + "key '" + chunk.keyId() + "' is not the key it was encrypted with (blob " + key + ")");
        }
    }

    /**
     * What is wrong with a restore point's blobs: missing chunks or packs, ones of another size than the manifest
     * records, and with {@code verify}, ones whose content no longer matches their SHA-256 (each one downloaded).
     */
    public List<String> damage(Manifest manifest, boolean verify) {
        Map<String, BlobStore.BlobEntry> stored = new java.util.HashMap<>();
        store.list(folder(manifest.name()) + CHUNKS).forEach(e -> stored.put(e.key(), e));
        if (manifest.chunks().stream().anyMatch(c -> Packs.isPack(c.blob()))) {
            store.list(Packs.ROOT).forEach(e -> stored.put(e.key(), e));
        }
        List<String> problems = new ArrayList<>();
        for (Manifest.ChunkRef chunk : manifest.chunks()) {
            String blob = key(manifest.name(), chunk);
            BlobStore.BlobEntry entry = stored.get(blob);
            if (entry == null) {
                problems.add(blob + " is missing");
            } else if (entry.size() != chunk.bytes()) {
                problems.add(blob + " is " + entry.size() + " bytes, the manifest records " + chunk.bytes());
            } else if (verify) {
                store.get(blob).map(ChunkCodec::sha256).filter(sha -> !sha.equals(chunk.sha256()))
                        .ifPresent(sha -> problems.add(blob + " has SHA-256 " + sha + ", the manifest records " + chunk.sha256()));
            }
        }
        return problems;
    }

    /** Refuses, naming the key id, when an encrypted restore point cannot be opened with the configured key. */
    public void checkKey(String name, Manifest.ChunkRef chunk) {
        if (chunk.keyId() == null) {
            return;
        }
        if (keyring == null) {
            throw new InvalidInputException("restore point '" + name + "' is encrypted with key '" + chunk.keyId()
                    + "'; set kbackup.encryption.keys (or kbackup.encryption.key, KBACKUP_ENCRYPTION_KEY)");
        }
        if (!keyring.has(chunk.keyId())) {
            throw new InvalidInputException("restore point '" + name + "' is encrypted with key '" + chunk.keyId()
                    + "', which is not in the keyring (it has " + keyring.ids() + "); add it to kbackup.encryption.keys");
        }
    }

    /** Records the outcome for one volume; written by each snapshot partition as soon as it knows. */
    public void saveVolume(String name, Manifest.VolumeRecord volume) {
        try {
            store.put(folder(name) + VOLUMES + volume.persistentVolume() + ".json",
                    Json.mapper().writeValueAsBytes(volume), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Manifest.VolumeRecord> findVolume(String name, String persistentVolume) {
        return store.get(folder(name) + VOLUMES + persistentVolume + ".json").map(RestorePoints::volume);
    }

    /** The volume outcomes recorded so far, by PV name. */
    public List<Manifest.VolumeRecord> volumes(String name) {
        String folder = folder(name);
        return store.list(folder + VOLUMES).stream()
                .map(e -> store.get(e.key()).map(RestorePoints::volume).orElse(null))
                .filter(java.util.Objects::nonNull).toList();
    }

    /**
     * Adds the hook runs of one volume group (a partition) to what earlier runs of it recorded: a relaunched backup
     * that runs a group's hooks again keeps the first runs' records too.
     */
    public void addHooks(String name, String group, List<HookResult> results) {
        String key = folder(name) + HOOKS + group + ".json";
        List<HookResult> all = new ArrayList<>(store.get(key).map(RestorePoints::hookResults).orElse(List.of()));
        all.addAll(results);
        try {
            store.put(key, Json.mapper().writeValueAsBytes(all), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every hook run recorded so far, group by group. */
    public List<HookResult> hooks(String name) {
        List<HookResult> all = new ArrayList<>();
        for (BlobStore.BlobEntry entry : store.list(folder(name) + HOOKS)) {
            store.get(entry.key()).map(RestorePoints::hookResults).ifPresent(all::addAll);
        }
        return all;
    }

    private static List<HookResult> hookResults(byte[] bytes) {
        try {
            return Json.mapper().readValue(bytes, new TypeReference<List<HookResult>>() { });
        } catch (IOException e) {
            throw new StorageException("hook record is not readable: " + e.getMessage(), e);
        }
    }

    private static Manifest.VolumeRecord volume(byte[] bytes) {
        try {
            return Json.mapper().readValue(bytes, Manifest.VolumeRecord.class);
        } catch (IOException e) {
            throw new StorageException("volume record is not readable: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every blob of a restore point, the manifest last, so an interrupted deletion leaves a manifest that
     * says Deleting for the next purge to finish. Returns the bytes freed.
     */
    public long deleteAll(String name) {
        String folder = folder(name);
        List<BlobStore.BlobEntry> blobs = store.list(folder);
        List<String> keys = blobs.stream().map(BlobStore.BlobEntry::key).filter(k -> !k.equals(folder + MANIFEST)).toList();
        store.deleteAll(keys);
        store.delete(folder + MANIFEST);
        return blobs.stream().mapToLong(BlobStore.BlobEntry::size).sum();
    }

    public void deleteBlob(String name, String blob) {
        store.delete(folder(name) + blob);
    }

    public static String folder(String name) {
        return ROOT + name + "/";
    }
}
