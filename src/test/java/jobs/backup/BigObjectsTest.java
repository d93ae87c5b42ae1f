package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.HelmSecrets;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm release Secrets of 1 MB each (incompressible gzip+base64 in real clusters, random base64 here): a page of
 * them and a chunk of 2,000 of them would be hundreds of MB. With the defaults (pages of 500, chunks of 2,000
 * objects or 4 MB) a backup of 150 MB of them must complete in a JVM with a 64 MB heap, as it would OOM-kill the
 * CronJob's pod if memory followed object counts, and every byte must come back.
 */
class BigObjectsTest {

    static final int SECRETS = 150;
    static final int SIZE = 1024 * 1024;

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void cluster() {
        api = ApiServer.startIndexed();
        HelmSecrets.load(api, "helm", SECRETS, SIZE);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aBackupOfOneMegabyteSecretsFitsASmallHeap() throws Exception {
        Kbackup kbackup = Kbackup.filesystem(dir, api);

        Path gcLog = dir.resolve("gc-jni.log");
        Process process = kbackup.spawn(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                        "-Xlog:gc+jni=debug:file=" + gcLog),
                "backup", "--name", "helm", "--include-resources", "secrets");

        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(kbackup.childLog(process))).isZero();
        RestorePoints stored = Stored.filesystem(dir);
        Manifest manifest = Stored.manifest(stored, "helm");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.itemCount()).isEqualTo(SECRETS + 1);
        // Packs are cut at 4 MB: about three of these Secrets each, not all of them in one.
        assertThat(manifest.chunks()).hasSizeGreaterThanOrEqualTo(SECRETS / 9);
        // A commit spans packs up to 64 MB: each commit saves every pack referred to so far, so a commit per pack
        // made those writes grow with the square of the backup's size.
        assertThat(resourcesCommits()).isBetween(2L, (long) manifest.chunks().size() / 4);
        // Pages are sized to half the read-ahead from the first object on: a first page of 16 was 22 MB at once.
        assertThat(api.largestListAnswer("/secrets")).isLessThan(2L * SIZE);
        // Objects waited off the heap in the read-ahead: every byte came back.
        Map<String, String> stored64 = new HashMap<>();
        Stored.objects(stored, "helm").stream().filter(o -> o.path("kind").asText().equals("Secret"))
                .forEach(o -> stored64.put(o.path("metadata").path("name").asText(), o.path("data").path("release").asText()));
        assertThat(stored64).hasSize(SECRETS);
        for (Secret served : api.client().secrets().inNamespace("helm").list().getItems()) {
            assertThat(stored64.get(served.getMetadata().getName())).as(served.getMetadata().getName())
                    .hasSize(served.getData().get("release").length()).isEqualTo(served.getData().get("release"));
        }
        // A compressor given heap arrays holds them in JNI critical sections: a collection needed meanwhile waits,
        // and other threads' 1 MB allocations go straight into the old generation, which fills with them until a
        // full collection (bench/RESULTS.md, 2026-12-06). Packs are compressed between direct buffers instead, the
        // final block included (LineEncoderCollectionsTest); compressing on the heap made about 40 waits here.
        assertThat(Files.readAllLines(gcLog)).as("collections held off by a JNI critical section")
                .noneMatch(line -> line.contains("_needs_gc"));
    }

    private long resourcesCommits() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("jobs"), "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "select COMMIT_COUNT from BATCH_STEP_EXECUTION where STEP_NAME = 'resources'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
