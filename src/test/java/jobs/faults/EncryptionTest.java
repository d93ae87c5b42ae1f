package jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import jobs.store.Manifest;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client-side AES-256-GCM encryption of restore-point blobs, and restores with the right, a missing or a wrong key. */
class EncryptionTest {

    @TempDir
    Path dir;

    static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void chunksAreEncryptedAndOnlyTheRightKeyRestoresThem() throws Exception {
        try (ApiServer source = ApiServer.start(); ApiServer target = ApiServer.start()) {
            ClusterFixture.populate(source);
            String key = key();
            Kbackup encrypted = Kbackup.filesystem(dir, source).with("--kbackup.encryption.key=" + key, "--kbackup.encryption.key-id=k1");

            assertThat(encrypted.run("backup", "--name", "sealed").exitCode()).isZero();

            Manifest manifest = Stored.manifest(Stored.filesystem(dir), "sealed");
            assertThat(manifest.chunks()).isNotEmpty().allSatisfy(c -> assertThat(c.keyId()).isEqualTo("k1"));
            byte[] raw = Files.readAllBytes(dir.resolve("backups").resolve(manifest.chunks().get(0).blob()));
            assertThat(raw[0] == (byte) 0x1f && raw[1] == (byte) 0x8b).as("not a readable gzip stream").isFalse();
            assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain("app-config").doesNotContain("czNjcmV0");
            // Pack addresses are keyed: the same objects stored without a key get other addresses, so an address
            // does not tell whoever lists the container what a guessed plaintext would hash to.
            Path plainDir = Files.createDirectories(dir.resolve("plain"));
            assertThat(Kbackup.filesystem(plainDir, source).run("backup", "--name", "sealed").exitCode()).isZero();
            java.util.Set<String> plainPacks = new java.util.HashSet<>(Stored.manifest(Stored.filesystem(plainDir), "sealed")
                    .chunks().stream().map(Manifest.ChunkRef::blob).toList());
            assertThat(plainPacks).hasSameSizeAs(manifest.chunks());
            assertThat(manifest.chunks()).noneMatch(c -> plainPacks.contains(c.blob()));

            Path targetDir = Files.createDirectories(dir.resolve("target"));
            Kbackup intoTarget = encrypted.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(targetDir));
            Kbackup.Result noKey = intoTarget.with("--kbackup.encryption.key=").run("restore", "--from", "sealed", "--name", "r1");
            assertThat(noKey.exitCode()).isEqualTo(2);
            assertThat(noKey.err()).contains("restore point 'sealed' is encrypted with key 'k1'; set kbackup.encryption.keys");
            Kbackup.Result otherId = intoTarget.with("--kbackup.encryption.key-id=k2").run("restore", "--from", "sealed", "--name", "r2");
            assertThat(otherId.exitCode()).isEqualTo(2);
            assertThat(otherId.err()).contains("restore point 'sealed' is authenticated with key 'k1', which is not in the keyring (it has k2)");
            Kbackup.Result wrongKey = intoTarget.with("--kbackup.encryption.key=" + key()).run("restore", "--from", "sealed", "--name", "r3");
            assertThat(wrongKey.exitCode()).isEqualTo(2);
            assertThat(wrongKey.err()).contains("cannot be decrypted: the configured key 'k1' is not the key it was encrypted with");
            assertThat(target.client().namespaces().list().getItems()).isEmpty();
            assertThat(intoTarget.with("--kbackup.encryption.key=not base64!").run("list").err())
                    .contains("kbackup.encryption.key: key 'k1' is not base64");

            Kbackup.Result restored = intoTarget.run("restore", "--from", "sealed", "--name", "r4");

            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            assertThat(target.client().secrets().inNamespace("shop").withName("db-pass").get().getData()).containsEntry("password", "czNjcmV0");
        }
    }
}
