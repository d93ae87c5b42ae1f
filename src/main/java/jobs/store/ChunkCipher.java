package jobs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import jobs.support.InvalidInputException;

/**
 * Client-side encryption of chunk blobs with AES-256-GCM (JDK provider). A sealed blob is a 12-byte random
 * nonce followed by the ciphertext and its 16-byte tag; the blob's place in the restore point is authenticated
 * too, so a chunk cannot be swapped for another. Only the key id is stored, in the manifest.
 */
public final class ChunkCipher {

    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String keyId;
    private final SecretKeySpec key;

    private ChunkCipher(String keyId, byte[] key) {
        this.keyId = keyId;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** @param base64Key 32 bytes, base64: {@code openssl rand -base64 32} */
    public static ChunkCipher of(String keyId, String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("kbackup.encryption.key is not base64");
        }
        if (key.length != 32) {
            throw new InvalidInputException("kbackup.encryption.key must be 32 bytes (AES-256), got " + key.length);
        }
        return new ChunkCipher(keyId, key);
    }

    public String keyId() {
        return keyId;
    }

    byte[] seal(byte[] plain, String place) {
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws AEADBadTagException when the key is not the one the blob was sealed with, or the blob was altered */
    byte[] open(byte[] sealed, String place) throws AEADBadTagException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
            cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, NONCE, sealed.length - NONCE);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
