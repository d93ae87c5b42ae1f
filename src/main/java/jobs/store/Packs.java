package jobs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed packs, shared by every restore point of a store (storage format 2):
 * <pre>
 * packs/&lt;address&gt;.jsonl.gz   objects, gzip JSON Lines (sealed with AES-256-GCM when a key is configured)
 * packs/&lt;address&gt;.idx        a 16-byte fingerprint per object, in order, then a 32-byte check
 * packs/.sweep                 present while a purge sweeps packs (see {@link #startSweep})
 * </pre>
 * Each object's fingerprint is the SHA-512/256 of its line truncated to 128 bits, or with a key an HMAC-SHA512/256
 * under a key derived from the active one, so a fingerprint never tells what a known plaintext would hash to; a pack's
 * address is the same hash over its objects' fingerprints in order (each object is hashed once). The next backup
 * reads the fingerprints of the packs its base restore point references, and refers to an unchanged object where
 * it already is instead of storing it again. Packs are
 * immutable, written only if absent; a pack holding equal content always has the same address.
 */
public final class Packs {

    public static final String ROOT = "packs/";
    static final String SWEEP_MARKER = ROOT + ".sweep";
    private static final String PACK_SUFFIX = ".jsonl.gz";
    private static final String INDEX_SUFFIX = ".idx";
    private static final String ADDRESS_LABEL = "kbackup pack address v1";
    private static final String FINGERPRINT_LABEL = "kbackup object fingerprint v1";
    private static final String INDEX_LABEL = "kbackup pack index v1";
    static final int FINGERPRINT = 16;
    /**
     * SHA-512/256: as strong as SHA-256, and a quarter faster in the JVM the image runs (C1 only, where no SHA
     * instruction is used): every object a backup lists is hashed once.
     */
    private static final String DIGEST = "SHA-512/256";
    private static final String HMAC = "HmacSHA512/256";
    private static final int CHECK = 32;
    private static final Logger log = LoggerFactory.getLogger(Packs.class);

    private final BlobStore store;
    private final Keyring keyring;

    public Packs(BlobStore store, Keyring keyring) {
        this.store = store;
        this.keyring = keyring;
    }

    /** The key id new packs are sealed with, null without encryption. */
    public String keyId() {
        return keyring == null ? null : keyring.activeId();
    }

    public static boolean isPack(String blob) {
        return blob.startsWith(ROOT);
    }

    public static String blob(String address) {
        return ROOT + address + PACK_SUFFIX;
    }

    static String indexBlob(String address) {
        return ROOT + address + INDEX_SUFFIX;
    }

    /** The address in a pack's blob key. */
    public static String address(String blob) {
        return blob.substring(ROOT.length(), blob.length() - PACK_SUFFIX.length());
    }

    /** A hash of one kind (address, fingerprint or index check), keyed when there is a keyring; not thread-safe. */
    public Hash hash(Kind kind) {
        return new Hash(kind == Kind.ADDRESS ? ADDRESS_LABEL : kind == Kind.FINGERPRINT ? FINGERPRINT_LABEL : INDEX_LABEL);
    }

    public enum Kind { ADDRESS, FINGERPRINT, INDEX }

    /** SHA-512/256, or HMAC-SHA512/256 under a key derived for its purpose. */
    public final class Hash {

        private final MessageDigest digest;
        private final Mac mac;

        private Hash(String label) {
            try {
                if (keyring == null) {
                    digest = MessageDigest.getInstance(DIGEST);
                    mac = null;
                } else {
                    SecretKeySpec key = keyring.derivedKey(label);
                    mac = Mac.getInstance(HMAC);
                    mac.init(key);
                    digest = null;
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        public void update(byte[] bytes) {
            if (mac != null) {
                mac.update(bytes);
            } else {
                digest.update(bytes);
            }
        }

        public void update(byte b) {
            if (mac != null) {
                mac.update(b);
            } else {
                digest.update(b);
            }
        }

        /** The hash of what was given since the last call, which starts the next. */
        public byte[] finish() {
            return mac != null ? mac.doFinal() : digest.digest();
        }

        /** The 128-bit fingerprint of one object's line. */
        public Fingerprint fingerprint(byte[] line) {
            update(line);
            ByteBuffer hash = ByteBuffer.wrap(finish());
            return new Fingerprint(hash.getLong(), hash.getLong());
        }
    }

    /** An object's content fingerprint: the first 128 bits of its keyed hash. */
    public record Fingerprint(long high, long low) {

        public byte[] bytes() {
            return ByteBuffer.allocate(FINGERPRINT).putLong(high).putLong(low).array();
        }
    }

    /**
     * Stores a pack's fingerprints (its index). Written whenever its pack is, before or beside it: an index without
     * its pack is garbage the next sweep deletes, a pack without its index is only stored again by the next backup.
     */
    public void putIndex(String address, List<Fingerprint> fingerprints) {
        store.put(indexBlob(address), index(address, fingerprints), Map.of());
    }

    /**
     * Stores a pack's content, unless a pack of that address is there already: then the stored one is kept and
     * described, since equal address means equal content.
     *
     * @param address the address: the hash of the fingerprints
     * @param gzip    the lines, gzip-compressed
     * @return the pack as stored: its stored size, SHA-256 and key id
     */
    public Stored putPack(String address, ByteBuffer gzip) {
        String blob = blob(address);
        ByteBuffer sealed = gzip;
        if (keyring != null) {
            // Sealing works on the heap: an encrypted pack in flight is held there once, as a copy.
            byte[] plain = new byte[gzip.remaining()];
            gzip.duplicate().get(plain);
            sealed = ByteBuffer.wrap(keyring.sealDeterministic(plain, blob));
        }
        int length = sealed.remaining();
        String sha256 = ChunkCodec.sha256(sealed);
        Map<String, String> metadata = new HashMap<>(Map.of(RestorePoints.META_SHA256, sha256));
        if (keyring != null) {
            metadata.put(RestorePoints.META_KEY_ID, keyring.activeId());
        }
        if (store.putIfMatch(blob, sealed, metadata, null)) {
            return new Stored(blob, sha256, length, keyId(), true);
        }
        BlobStore.BlobEntry existing = store.list(blob).stream().filter(e -> e.key().equals(blob)).findFirst()
                .orElseThrow(() -> new StorageException("pack " + blob + " was there and then was not", null));
        String existingSha = existing.metadata().getOrDefault(RestorePoints.META_SHA256, sha256);
        return new Stored(blob, existingSha, existing.size(),
                existing.metadata().getOrDefault(RestorePoints.META_KEY_ID, keyId()), false);
    }

    /**
     * A pack as stored.
     *
     * @param written whether this call wrote it (false: it was there already)
     */
    public record Stored(String blob, String sha256, long bytes, String keyId, boolean written) {
    }

    private byte[] index(String address, List<Fingerprint> fingerprints) {
        ByteBuffer buffer = ByteBuffer.allocate(fingerprints.size() * FINGERPRINT + CHECK);
        fingerprints.forEach(f -> buffer.putLong(f.high()).putLong(f.low()));
        Hash check = hash(Kind.INDEX);
        check.update(address.getBytes(StandardCharsets.UTF_8));
        check.update(Arrays.copyOf(buffer.array(), buffer.position()));
        return buffer.put(check.finish()).array();
    }

    /**
     * The fingerprints of a pack, in order; empty when its index is missing, damaged or made under another key,
     * so a backup stores those objects again rather than trust them.
     */
    public Optional<List<Fingerprint>> fingerprints(String blob) {
        String address = address(blob);
        Optional<byte[]> stored = store.get(indexBlob(address));
        if (stored.isEmpty() || stored.get().length < CHECK || (stored.get().length - CHECK) % FINGERPRINT != 0) {
            log.warn("Pack index {} is missing or truncated; its objects will be stored again", indexBlob(address));
            return Optional.empty();
        }
        byte[] bytes = stored.get();
        Hash check = hash(Kind.INDEX);
        check.update(address.getBytes(StandardCharsets.UTF_8));
        check.update(Arrays.copyOf(bytes, bytes.length - CHECK));
        if (!MessageDigest.isEqual(check.finish(), Arrays.copyOfRange(bytes, bytes.length - CHECK, bytes.length))) {
            log.info("Pack index {} does not verify under the current key; its objects will be stored again", indexBlob(address));
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, bytes.length - CHECK);
        Fingerprint[] all = new Fingerprint[(bytes.length - CHECK) / FINGERPRINT];
        for (int i = 0; i < all.length; i++) {
            all[i] = new Fingerprint(buffer.getLong(), buffer.getLong());
        }
        return Optional.of(List.of(all));
    }

    /** Every stored pack by address, with its size (the index's included). */
    public Map<String, Long> stored() {
        Map<String, Long> sizes = new TreeMap<>();
        for (BlobStore.BlobEntry entry : store.list(ROOT)) {
            String key = entry.key();
            if (key.endsWith(PACK_SUFFIX)) {
                sizes.merge(address(key), entry.size(), Long::sum);
            } else if (key.endsWith(INDEX_SUFFIX)) {
                sizes.merge(key.substring(ROOT.length(), key.length() - INDEX_SUFFIX.length()), entry.size(), Long::sum);
            }
        }
        return sizes;
    }

    /** Deletes packs with their indexes (Azure: in batches of 256). */
    public void delete(List<String> addresses) {
        store.deleteAll(addresses.stream().flatMap(a -> java.util.stream.Stream.of(blob(a), indexBlob(a)))
                .collect(Collectors.toList()));
    }

    /** Marks a sweep as under way until {@code deadline}; see {@link #sweepUnderWay}. */
    public void startSweep(Instant deadline) {
        store.put(SWEEP_MARKER, deadline.toString().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public void endSweep() {
        store.delete(SWEEP_MARKER);
    }

    /**
     * The deadline of a sweep under way, if there is one: a backup must not refer to any pack until it has passed
     * or the sweep ended, because the sweep may be deleting packs that no manifest refers to yet.
     */
    public Optional<Instant> sweepUnderWay(Instant now) {
        return store.get(SWEEP_MARKER).map(b -> {
            try {
                return Instant.parse(new String(b, StandardCharsets.UTF_8).trim());
            } catch (RuntimeException e) {
                return Instant.MIN;
            }
        }).filter(now::isBefore);
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The address of a pack of objects with these fingerprints, in order. */
    public String addressOf(List<Fingerprint> fingerprints) {
        Hash hash = hash(Kind.ADDRESS);
        fingerprints.forEach(f -> hash.update(f.bytes()));
        return hex(hash.finish());
    }
}
