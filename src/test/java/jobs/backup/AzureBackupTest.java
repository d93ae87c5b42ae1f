package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Azurite;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup job into Azure Blob (Azurite): the same restore point as on the local disk, readable by list/describe. */
class AzureBackupTest {

    @TempDir
    Path dir;
    ApiServer api;
    String container;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
        container = "backup-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void storesTheSameRestorePointAsTheFilesystemStore() throws Exception {
        Files.createDirectories(dir.resolve("azure"));
        Files.createDirectories(dir.resolve("local"));
        Kbackup azure = Kbackup.azure(dir.resolve("azure"), api, container).with("--kbackup.backup.pack-objects=5");
        Kbackup local = Kbackup.filesystem(dir.resolve("local"), api).with("--kbackup.backup.pack-objects=5");

        Kbackup.Result result = azure.run("backup", "--name", "nightly", "--include-namespaces", "shop");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(local.run("backup", "--name", "nightly", "--include-namespaces", "shop").exitCode()).isZero();

        RestorePoints inAzure = Stored.azure(container);
        assertThat(Stored.manifest(inAzure, "nightly").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(inAzure, "nightly"))
                .containsExactlyInAnyOrderElementsOf(Stored.keys(Stored.filesystem(dir.resolve("local")), "nightly"));
        // The blobs are really in the container: the manifest, and each pack with its index.
        var blobs = new BlobServiceClientBuilder().connectionString(Azurite.shared().connectionString()).buildClient()
                .getBlobContainerClient(container).listBlobs().stream().map(b -> b.getName()).toList();
        String pack = Stored.manifest(inAzure, "nightly").chunks().get(0).blob();
        assertThat(pack).startsWith("packs/").endsWith(".jsonl.gz");
        assertThat(blobs).contains("backups/nightly/manifest.json", pack, pack.replace(".jsonl.gz", ".idx"));
        JsonNode list = new ObjectMapper().readTree(azure.run("list", "-o", "json").out());
        assertThat(list).singleElement().satisfies(n -> assertThat(n.path("name").asText()).isEqualTo("nightly"));
        assertThat(azure.run("describe", "nightly").out()).contains("Phase:       Completed");
    }
}
