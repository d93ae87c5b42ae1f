package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import jobs.testing.VeleroFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An import killed with SIGKILL part way: launching it again resumes it, and it ends holding every item once. */
class KilledImportTest {

    private static final int ITEMS = 20_000;

    @TempDir
    Path dir;

    @Test
    void killedPartWayItResumesAndHoldsEveryItemOnce() throws Exception {
        VeleroFixture fixture = VeleroFixture.backup("big").item(ImportVeleroSourcesTest.namespace("shop"));
        IntStream.range(0, ITEMS).forEach(i -> fixture.item(ImportVeleroSourcesTest.configMap("shop", "cm-" + i, "v".repeat(200) + i)));
        fixture.writeTo(Stored.folder(dir.resolve("bucket")));
        RestorePoints stored = Stored.filesystem(dir);
        try (ApiServer api = ApiServer.start()) {
            // Small commits, so a kill lands between many of them.
            Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.backup.pack-objects=200");
            String[] args = {"import-velero", "--from-file", dir.resolve("bucket").toString(), "--name", "big"};

            Process process = kbackup.spawn(args);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Stored.packs(stored) < 30 && process.isAlive()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(process.isAlive()).as("still importing when killed").isTrue();
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Manifest killed = Stored.manifest(stored, "big");
            assertThat(killed.phase()).isEqualTo(Phase.InProgress);

            Kbackup.Result resumed = kbackup.run(args);

            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            Manifest manifest = Stored.manifest(stored, "big");
            assertThat(manifest.phase()).isEqualTo(Phase.Completed);
            assertThat(manifest.itemCount()).isEqualTo(ITEMS + 1);
            List<JsonNode> objects = Stored.objects(stored, "big");
            Set<String> expected = IntStream.range(0, ITEMS).mapToObj(i -> "ConfigMap shop/cm-" + i).collect(Collectors.toSet());
            expected.add("Namespace shop");
            assertThat(objects).extracting(Stored::key).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
            // The resumed run went on from the last stored commit: it read the tarball's rest, not all of it again.
            JsonNode report = new ObjectMapper().readTree(kbackup.run("report", "--job", "import-velero", "-o", "json").out());
            long resumedReads = 0;
            long allReads = 0;
            for (JsonNode execution : report.path("executions")) {
                for (JsonNode step : execution.path("steps")) {
                    if (step.path("name").asText().equals("items")) {
                        allReads += step.path("read").asLong();
                        if (execution.path("status").asText().equals("COMPLETED")) {
                            resumedReads = step.path("read").asLong();
                        }
                    }
                }
            }
            assertThat(resumedReads).isPositive().isLessThan(ITEMS + 1 - 20 * 200);
            assertThat(allReads).as("read before and after the kill").isGreaterThanOrEqualTo(ITEMS + 1);

            Kbackup.Result again = kbackup.run(args);
            assertThat(again.exitCode()).isEqualTo(2);
            assertThat(again.err()).contains("is imported already");
        }
    }
}
