package jobs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import jobs.support.InvalidInputException;

/**
 * The encryption keys of restore points, by id. The active key encrypts new chunks and authenticates new manifests;
 * every key in the ring decrypts and verifies, so rotating a key (add the new one, make it active, keep the old one
 * until its restore points expire) strands no restore point.
 * <ul>
 *   <li>Chunks: AES-256-GCM (JDK provider). A sealed blob is a 12-byte random nonce followed by the ciphertext and
 *       its 16-byte tag; the blob's place in the restore point is authenticated too, so a chunk cannot be swapped for
 *       another.</li>
 *   <li>Manifests: HMAC-SHA256 with a key derived from the encryption key (never the key itself), over the manifest
 *       as written. A manifest whose chunk list, counts, phase or dates were edited no longer verifies.</li>
 * </ul>
 * Only key ids are stored, never keys.
 */
public final class Keyring {

    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MAC_LABEL = "kbackup manifest authentication v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NONCE_LABEL = "kbackup pack nonce v1".getBytes(StandardCharsets.UTF_8);

    private final Map<String, SecretKeySpec> keys;
    private final String active;

    private Keyring(Map<String, SecretKeySpec> keys, String active) {
        this.keys = Collections.unmodifiableMap(keys);
        this.active = active;
    }

    /**
     * @param base64Keys keys by id, each 32 bytes in base64 ({@code openssl rand -base64 32}), as configured
     * @param active     the id of the key that encrypts; null for the greatest id (name keys by date, e.g.
     *                   {@code 2026-06}, and the newest is the active one)
     * @param setting    the setting the keys came from, for messages
     * @throws InvalidInputException naming the id of a key that is not 32 bytes of base64, or an active id not in it
     */
    public static Keyring of(Map<String, String> base64Keys, String active, String setting) {
        if (base64Keys.isEmpty()) {
            throw new InvalidInputException(setting + " holds no key");
        }
        Map<String, SecretKeySpec> keys = new TreeMap<>();
        base64Keys.forEach((id, base64) -> keys.put(id, new SecretKeySpec(decode(id, base64, setting), "AES")));
        String chosen = active == null || active.isBlank() ? ((TreeMap<String, SecretKeySpec>) keys).lastKey() : active;
        if (!keys.containsKey(chosen)) {
            throw new InvalidInputException("kbackup.encryption.active-key: no key '" + chosen + "' in " + setting
                    + " (it has " + String.join(", ", keys.keySet()) + ")");
        }
        return new Keyring(keys, chosen);
    }

    private static byte[] decode(String id, String base64, String setting) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(setting + ": key '" + id + "' is not base64");
        }
        if (key.length != 32) {
            throw new InvalidInputException(setting + ": key '" + id + "' must be 32 bytes (AES-256), got " + key.length);
        }
        return key;
    }

    /** The id of the key that encrypts. */
    public String activeId() {
        return active;
    }

    public boolean has(String keyId) {
        return keys.containsKey(keyId);
    }

    /** The ids in the ring, for messages. */
    public String ids() {
        return String.join(", ", keys.keySet());
    }

    /** Encrypts with the active key under a random nonce. */
    byte[] seal(byte[] plain, String place) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        return seal(plain, place, nonce);
    }

    private byte[] seal(byte[] plain, String place, byte[] nonce) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(active), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Encrypts with the active key and a nonce derived from the plaintext (an HMAC under a key of its own), so equal
     * content gives equal bytes: content-addressed packs written twice, by two backups at once, stay identical. A
     * nonce repeats only for the same plaintext, which then gives the same ciphertext and tells nothing the address
     * does not (the deterministic, SIV-like use of GCM).
     */
    byte[] sealDeterministic(byte[] plain, String place) {
        return seal(plain, place, java.util.Arrays.copyOf(hmac(active, NONCE_LABEL, plain), NONCE));
    }

    /**
     * A key of its own, derived from the active key for {@code label} (HMAC as a KDF), for keyed hashes: content
     * addresses that tell nothing about the content to whoever lacks the key, where a plain SHA-256 of a known
     * Secret could be confirmed by anyone who can list the container.
     */
    SecretKeySpec derivedKey(String label) {
        return derive(active, label.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] hmac(String keyId, byte[] label, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(derive(keyId, label));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws AEADBadTagException when key {@code keyId} is not the one the blob was sealed with, or the blob was altered */
    byte[] open(byte[] sealed, String place, String keyId) throws AEADBadTagException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keys.get(keyId), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
            cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, NONCE, sealed.length - NONCE);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The authentication code of {@code content} under key {@code keyId}, base64. */
    String mac(String keyId, byte[] content) {
        return Base64.getEncoder().encodeToString(hmac(keyId, MAC_LABEL, content));
    }

    /** Whether {@code code} authenticates {@code content} under key {@code keyId}, in constant time. */
    boolean verify(String keyId, byte[] content, String code) {
        byte[] given;
        try {
            given = Base64.getDecoder().decode(code);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(Base64.getDecoder().decode(mac(keyId, content)), given);
    }

    /**
     * A MAC key of its own per encryption key and purpose (HMAC as a KDF, the purpose's label as input), so no key
     * is used for two purposes.
     */
    private SecretKeySpec derive(String keyId, byte[] label) {
        try {
            Mac kdf = Mac.getInstance("HmacSHA256");
            kdf.init(new SecretKeySpec(keys.get(keyId).getEncoded(), "HmacSHA256"));
            return new SecretKeySpec(kdf.doFinal(label), "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
