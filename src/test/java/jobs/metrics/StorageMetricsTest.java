package jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage requests a run makes are counted in its metrics: store operations, and Azure's HTTP requests. */
class StorageMetricsTest {

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void seed() {
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build());
        for (int i = 0; i < 30; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("app").endMetadata().build());
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void everyBlobWrittenIsOnePutAndPutsGrowWithPacks() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        Path tens = dir.resolve("tens.prom");
        Path fives = dir.resolve("fives.prom");

        // Into two stores: in one, the second backup would find every object stored already.
        assertThat(Kbackup.filesystem(dir, api).with("--kbackup.metrics.file=" + tens, "--kbackup.backup.pack-objects=10")
                .run("backup", "--name", "tens").exitCode()).isZero();
        assertThat(Kbackup.filesystem(other, api).with("--kbackup.metrics.file=" + fives, "--kbackup.backup.pack-objects=5")
                .run("backup", "--name", "fives").exitCode()).isZero();

        int tensPacks = Stored.manifest(Stored.filesystem(dir), "tens").chunks().size();
        int fivesPacks = Stored.manifest(Stored.filesystem(other), "fives").chunks().size();
        assertThat(tensPacks).isEqualTo(4);
        assertThat(fivesPacks).isEqualTo(7);
        // Same cluster, same manifest writes: the difference in puts is the difference in packs, two puts each (the
        // pack and its index).
        assertThat(counter(fives, "kbackup_storage_operations_total", "operation", "put")
                - counter(tens, "kbackup_storage_operations_total", "operation", "put")).isEqualTo(6.0);
        try (Stream<Path> files = Files.walk(dir.resolve("backups"))) {
            long blobs = files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).count();
            assertThat(counter(tens, "kbackup_storage_operations_total", "operation", "put")).isGreaterThanOrEqualTo(blobs);
        }
        assertThat(counter(tens, "kbackup_storage_operations_total", "operation", "get")).isPositive();
        assertThat(Files.readString(tens)).doesNotContain("kbackup_storage_http_requests_total");
    }

    @Test
    void azureCountsEveryHttpRequestBesideTheOperations() throws Exception {
        Path metrics = dir.resolve("azure.prom");
        Kbackup kbackup = Kbackup.azure(dir, api, "metrics-" + UUID.randomUUID().toString().substring(0, 8))
                .with("--kbackup.metrics.file=" + metrics, "--kbackup.backup.pack-objects=10");

        assertThat(kbackup.run("backup", "--name", "m").exitCode()).isZero();

        double puts = counter(metrics, "kbackup_storage_operations_total", "operation", "put");
        assertThat(puts).isGreaterThanOrEqualTo(5.0);
        // Each put is an HTTP PUT of a block blob; creating the container is one more.
        assertThat(counter(metrics, "kbackup_storage_http_requests_total", "method", "PUT")).isGreaterThanOrEqualTo(puts + 1);
        assertThat(counter(metrics, "kbackup_storage_http_requests_total", "method", "GET")).isPositive();
    }

    private static double counter(Path metrics, String name, String tag, String value) throws IOException {
        Pattern line = Pattern.compile("^" + name + "\\{" + tag + "=\"" + value + "\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(Files.readString(metrics));
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }
}
