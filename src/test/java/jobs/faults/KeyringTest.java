package jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import jobs.store.Manifest;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encryption keyring: rotation strands no restore point, a key taken out of the ring is named when it is needed,
 * and a manifest edited after it was written (chunk entries dropped, counts changed, its code removed) is refused
 * before anything is restored.
 */
class KeyringTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    ApiServer source;
    ApiServer target;
    Kbackup first;
    Path targetKubeconfig;

    @BeforeEach
    void clusters() throws Exception {
        source = ApiServer.start();
        target = ApiServer.start();
        ClusterFixture.populate(source);
        targetKubeconfig = target.writeKubeconfig(Files.createDirectories(dir.resolve("target")));
        first = Kbackup.filesystem(dir, source).with("--kbackup.encryption.keys.k202601=" + EncryptionTest.key(),
                "--kbackup.backup.pack-objects=10");
    }

    @AfterEach
    void stop() {
        source.close();
        target.close();
    }

    private Kbackup intoTarget(Kbackup kbackup) {
        return kbackup.with("--kbackup.kube.kubeconfig=" + targetKubeconfig);
    }

    @Test
    void rotatingTheKeyStrandsNoRestorePointAndAKeyTakenOutIsNamedWhenNeeded() throws Exception {
        assertThat(first.run("backup", "--name", "before").exitCode()).isZero();
        String newKey = EncryptionTest.key();
        // Rotation: the new key joins the ring; being the greatest id, it encrypts from now on.
        Kbackup rotated = first.with("--kbackup.encryption.keys.k202606=" + newKey);

        Kbackup.Result after = rotated.run("backup", "--name", "after");

        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(Stored.manifest(Stored.filesystem(dir), "before").chunks()).allSatisfy(c -> assertThat(c.keyId()).isEqualTo("k202601"));
        assertThat(Stored.manifest(Stored.filesystem(dir), "after").chunks()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.keyId()).isEqualTo("k202606"));
        assertThat(manifestJson("after").path("authentication").path("keyId").asText()).isEqualTo("k202606");
        for (String name : new String[] {"before", "after"}) {
            Kbackup.Result verified = rotated.run("describe", name, "--verify", "-o", "json");
            assertThat(verified.exitCode()).as(verified.toString()).isZero();
            assertThat(JSON.readTree(verified.out()).path("damage")).as(name).isEmpty();
        }

        // The old key taken out of the ring: its restore point is refused, naming the key, and nothing is written.
        Kbackup onlyNew = Kbackup.filesystem(dir, source).with("--kbackup.encryption.keys.k202606=" + newKey);
        Kbackup.Result stranded = intoTarget(onlyNew).run("restore", "--from", "before", "--name", "r1");
        assertThat(stranded.exitCode()).as(stranded.toString()).isEqualTo(2);
        assertThat(stranded.err()).contains("restore point 'before' is authenticated with key 'k202601', which is not in the "
                + "keyring (it has k202606)");
        assertThat(target.client().namespaces().list().getItems()).isEmpty();
        assertThat(onlyNew.run("list").out()).as("still listed").contains("before").contains("after");

        Kbackup.Result restored = intoTarget(rotated).run("restore", "--from", "before", "--name", "r2");
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(target.client().secrets().inNamespace("shop").withName("db-pass").get().getData())
                .containsEntry("password", "czNjcmV0");
    }

    private JsonNode manifestJson(String name) throws Exception {
        return JSON.readTree(dir.resolve("backups/backups").resolve(name).resolve("manifest.json").toFile());
    }

    private void edit(String name, Consumer<ObjectNode> change) throws Exception {
        Path file = dir.resolve("backups/backups").resolve(name).resolve("manifest.json");
        ObjectNode manifest = (ObjectNode) JSON.readTree(file.toFile());
        change.accept(manifest);
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    }

    @Test
    void aManifestEditedAfterItWasWrittenIsRefusedBeforeAnythingIsRestored() throws Exception {
        for (String name : new String[] {"dropped", "recounted", "stripped"}) {
            assertThat(first.run("backup", "--name", name).exitCode()).isZero();
        }
        Manifest original = Stored.manifest(Stored.filesystem(dir), "dropped");
        assertThat(original.chunks()).hasSizeGreaterThan(2);
        // Drop the last chunk and make the totals agree, so that only the authentication code can tell.
        edit("dropped", m -> {
            ArrayNode chunks = m.withArray("chunks");
            long items = chunks.get(chunks.size() - 1).path("items").asLong();
            chunks.remove(chunks.size() - 1);
            m.put("itemCount", m.path("itemCount").asLong() - items);
        });
        edit("recounted", m -> ((ObjectNode) m.withArray("resources").get(0)).put("count", 0));
        edit("stripped", m -> m.remove("authentication"));

        for (String name : new String[] {"dropped", "recounted"}) {
            Kbackup.Result refused = intoTarget(first).run("restore", "--from", name, "--name", "r-" + name);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("restore point '" + name + "' is damaged: blob backups/" + name
                    + "/manifest.json was altered after it was written: its authentication code (key 'k202601') does not match");
        }
        Kbackup.Result stripped = intoTarget(first).run("restore", "--from", "stripped", "--name", "r-stripped");
        assertThat(stripped.exitCode()).as(stripped.toString()).isEqualTo(1);
        assertThat(stripped.err()).contains("backups/stripped/manifest.json carries no authentication code, though its chunks are encrypted");
        assertThat(target.client().namespaces().list().getItems()).as("nothing restored").isEmpty();

        Kbackup.Result list = first.run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).doesNotContain("dropped").doesNotContain("recounted").doesNotContain("stripped");

        // Restore points written before manifests were authenticated are read once the user says so.
        Kbackup.Result legacy = intoTarget(first.with("--kbackup.encryption.accept-unauthenticated=true"))
                .run("restore", "--from", "stripped", "--name", "r-legacy");
        assertThat(legacy.exitCode()).as(legacy.toString()).isZero();
        assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get()).isNotNull();
    }
}
