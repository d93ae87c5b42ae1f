package jobs.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import jobs.support.Json;

/**
 * Reads and writes {@code manifest.json}, authenticated when a keyring is configured. The authentication code is
 * an HMAC of the manifest's canonical JSON (compact, map entries in key order, without the code itself), stored
 * beside it in the manifest as {@code "authentication": {"keyId": ..., "hmacSha256": ...}}. A manifest that does
 * not verify was edited after it was written: chunk entries dropped, counts or phase changed, or its code removed.
 */
final class ManifestCodec {

    static final String AUTHENTICATION = "authentication";
    private static final ObjectMapper CANONICAL = Json.mapper().copy()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** How far a manifest read from storage can be trusted. */
    enum Seal {
        /** Its code verifies with a key of the ring. */
        VERIFIED,
        /** It has no code, and needs none: no keyring, or (read with a keyring) nothing of it is encrypted. */
        UNSIGNED,
        /** Its code is under a key the ring does not have. */
        UNVERIFIABLE,
        /** Its code does not verify, or an encrypted restore point's manifest has none. */
        TAMPERED
    }

    /**
     * A manifest as read.
     *
     * @param manifest the manifest
     * @param seal     how far it can be trusted
     * @param keyId    the key its code is under, null when it has none
     */
    record Read(Manifest manifest, Seal seal, String keyId) {
    }

    private ManifestCodec() {
    }

    /** The manifest's bytes, with its authentication code under the active key when there is a ring. */
    static byte[] write(Manifest manifest, Keyring keyring) throws IOException {
        ObjectNode tree = Json.mapper().valueToTree(manifest);
        if (keyring != null) {
            tree.putObject(AUTHENTICATION).put("keyId", keyring.activeId())
                    .put("hmacSha256", keyring.mac(keyring.activeId(), CANONICAL.writeValueAsBytes(manifest)));
        }
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
    }

    /**
     * @param acceptUnauthenticated whether an encrypted restore point's manifest may lack a code (written before
     *                              manifests were authenticated)
     */
    static Read read(byte[] bytes, Keyring keyring, boolean acceptUnauthenticated) throws IOException {
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(bytes);
        JsonNode authentication = tree.remove(AUTHENTICATION);
        Manifest manifest = Json.mapper().treeToValue(tree, Manifest.class);
        if (keyring == null) {
            return new Read(manifest, Seal.UNSIGNED, null);
        }
        if (authentication == null) {
            boolean encrypted = manifest.chunks().stream().anyMatch(c -> c.keyId() != null);
            return new Read(manifest, encrypted && !acceptUnauthenticated ? Seal.TAMPERED : Seal.UNSIGNED, null);
        }
        String keyId = authentication.path("keyId").asText();
        if (!keyring.has(keyId)) {
            return new Read(manifest, Seal.UNVERIFIABLE, keyId);
        }
        boolean verified = keyring.verify(keyId, CANONICAL.writeValueAsBytes(manifest), authentication.path("hmacSha256").asText());
        return new Read(manifest, verified ? Seal.VERIFIED : Seal.TAMPERED, keyId);
    }
}
