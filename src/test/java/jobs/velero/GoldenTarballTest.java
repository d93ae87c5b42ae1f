package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import jobs.store.Manifest;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/test/resources/velero/backup1234.tar.gz}: made by hand with GNU tar from the tree of Velero's
 * {@code site/content/docs/main/output-file-format.md} (format 1.1, with the API group versions feature: each item
 * twice, the HPA in two more versions), its listing checked by hand against that page and kept beside it. One
 * deliberate difference: the page lists {@code deployments/}, but Velero writes the group, {@code deployments.apps/}.
 */
class GoldenTarballTest {

    @TempDir
    Path dir;

    @Test
    void theTarballIsVelerosDocumentedTreeAndImportsEachItemOnceInItsPreferredVersion() throws Exception {
        Path tarball = Path.of("src/test/resources/velero/backup1234.tar.gz");
        List<String> listing = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tarball); TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                listing.add(entry.getName());
            }
        }
        assertThat(listing).containsExactlyElementsOf(
                Files.readAllLines(Path.of("src/test/resources/velero/backup1234.listing"), StandardCharsets.UTF_8));

        try (ApiServer api = ApiServer.start()) {
            Kbackup.Result result = Kbackup.filesystem(dir, api).run("import-velero", "--from-file", tarball.toString());

            assertThat(result.exitCode()).as(result.toString()).isZero();
            Manifest manifest = Stored.manifest(Stored.filesystem(dir), "backup1234");
            assertThat(Stored.keys(Stored.filesystem(dir), "backup1234")).containsExactlyInAnyOrder(
                    "PersistentVolume pv01", "ConfigMap namespace1/myconfigmap", "Pod namespace1/mypod",
                    "Job namespace1/awesome-job", "Deployment namespace1/cool-deployment",
                    "HorizontalPodAutoscaler namespace1/hpa-to-the-rescue");
            assertThat(manifest.resources()).extracting(r -> r.qualifiedName() + " " + r.version() + " " + r.count())
                    .containsExactlyInAnyOrder("persistentvolumes v1 1", "configmaps v1 1", "pods v1 1", "jobs.batch v1 1",
                            "deployments.apps v1 1", "horizontalpodautoscalers.autoscaling v1 1");
            assertThat(manifest.warnings()).extracting(Manifest.Warning::message)
                    .containsExactly("2 copies in other API versions than the preferred one left out: each item is imported "
                            + "in its preferred version");
            assertThat(manifest.volumes()).extracting(v -> v.persistentVolume() + " " + v.namespace() + "/" + v.claim() + " " + v.phase())
                    .containsExactly("pv01 namespace1/data Skipped");
        }
    }
}
