package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import jobs.store.Manifest;
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

/**
 * A CRD-heavy cluster: 400 custom resource types, one object each, all in one chunk. Their per-type counts must not
 * go into the chunk blob's metadata unbounded: Azure refuses more than 8 KB of it (Azurite does not check, so the
 * test does), and the restore point must still know which chunk holds which type.
 */
class ManyTypesTest {

    static final int TYPES = 400;
    static final int AZURE_METADATA_LIMIT = 8 * 1024;

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("crds").endMetadata().build());
        for (int i = 0; i < TYPES; i++) {
            api.create(ClusterFixture.crd(String.format("gizmo%03ds", i), String.format("Gizmo%03d", i)));
        }
        for (int i = 0; i < TYPES; i++) {
            api.create(new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind(String.format("Gizmo%03d", i))
                    .withNewMetadata().withName("one").withNamespace("crds").endMetadata()
                    .addToAdditionalProperties("spec", Map.of("n", i)).build());
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void hundredsOfTypesInOneChunkKeepItsMetadataUnderAzuresLimit() {
        String container = "many-" + UUID.randomUUID().toString().substring(0, 8);
        Kbackup kbackup = Kbackup.azure(dir, api, container);

        Kbackup.Result result = kbackup.run("backup", "--name", "crd-heavy", "--include-namespaces", "crds");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        RestorePoints stored = Stored.azure(container);
        Manifest manifest = Stored.manifest(stored, "crd-heavy");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.chunks()).hasSize(1);
        // The 400 types, their 400 CRDs (what the selected objects need) and the namespace.
        assertThat(manifest.chunks().get(0).resources()).hasSize(TYPES + 2).containsEntry("gizmo042s.example.com", 1L)
                .containsEntry("customresourcedefinitions.apiextensions.k8s.io", (long) TYPES);
        assertThat(manifest.resources()).filteredOn(r -> r.resource().startsWith("gizmo")).hasSize(TYPES);
        BlobContainerClient blobs = new BlobServiceClientBuilder().connectionString(Azurite.shared().connectionString())
                .buildClient().getBlobContainerClient(container);
        for (BlobItem blob : blobs.listBlobs(new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveMetadata(true)), null)) {
            int size = 0;
            for (Map.Entry<String, String> e : blob.getMetadata() == null ? Map.<String, String>of().entrySet() : blob.getMetadata().entrySet()) {
                size += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
            assertThat(size).as("metadata of " + blob.getName()).isLessThanOrEqualTo(AZURE_METADATA_LIMIT);
        }
        // And a restore of one of those types finds it.
        assertThat(kbackup.run("restore", "--from", "crd-heavy", "--include-resources", "gizmo042s.example.com", "--dry-run")
                .out()).contains("gizmo042s.example.com").contains("crds/one");
    }
}
