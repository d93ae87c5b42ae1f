package jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports from the job repository, restart and stop by execution id, and SIGTERM leaving a resumable run. */
class ReportTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    ApiServer api;
    Kbackup kbackup;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build());
        for (int i = 0; i < 200; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("app").endMetadata().build());
        }
        kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=20", "--kbackup.backup.pack-objects=20");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void reportsRunsFailuresFirstAndRestartsAFailedOneById() throws Exception {
        assertThat(kbackup.run("backup", "--name", "good").exitCode()).isZero();
        api.failLater("GET", "/configmaps?", 2, 1, 500, null);
        assertThat(kbackup.with("--kbackup.kube.request-retries=0").run("backup", "--name", "bad").exitCode()).isEqualTo(1);

        JsonNode report = JSON.readTree(kbackup.run("report", "--job", "backup", "-o", "json").out());

        JsonNode executions = report.path("executions");
        assertThat(executions).hasSize(2);
        JsonNode failed = executions.get(0);
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("parameters").asText()).contains("name=bad");
        assertThat(failed.path("exitDescription").asText()).isNotEmpty();
        JsonNode good = executions.get(1);
        assertThat(good.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(good.path("objects").asLong()).isEqualTo(201);
        assertThat(good.path("steps")).extracting(s -> s.path("name").asText())
                .containsExactly("discover", "resources", "volumes", "finalize");
        JsonNode resources = good.path("steps").get(1);
        assertThat(resources.path("read").asLong()).isEqualTo(201);
        assertThat(resources.path("write").asLong()).isEqualTo(201);
        assertThat(resources.path("commits").asLong()).isEqualTo(11);
        assertThat(report.path("totals").get(0).path("failed").asInt()).isEqualTo(1);

        Kbackup.Result restarted = kbackup.run("restart", failed.path("id").asText());
        assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
        assertThat(Stored.manifest(Stored.filesystem(dir), "bad").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(Stored.filesystem(dir), "bad")).doesNotHaveDuplicates().hasSize(201);

        String table = kbackup.run("report", "--status", "COMPLETED").out();
        assertThat(table).contains("backup").contains("resources COMPLETED read").contains("TOTALS");
        assertThat(kbackup.run("report", "--since", "1h", "--job", "purge").out()).doesNotContain("purge   ");
        assertThat(kbackup.run("report", "--job", "archive").exitCode()).isEqualTo(2);
        assertThat(kbackup.run("restart", "999").err()).contains("no job execution 999");
        assertThat(kbackup.run("stop", "999").err()).contains("stop: no job execution 999");
        assertThat(kbackup.run("restart", good.path("id").asText()).exitCode()).isEqualTo(2);
    }

    @Test
    void htmlReportIsOneSelfContainedPage() throws Exception {
        assertThat(kbackup.run("backup", "--name", "one").exitCode()).isZero();
        assertThat(kbackup.run("purge", "--dry-run").exitCode()).isZero();
        Path page = dir.resolve("report.html");

        Kbackup.Result result = kbackup.run("report", "--output", "html", "--out", page.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("<polyline").contains("<table")
                .contains(">backup<").contains(">purge<").contains("name=one");
        assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<script src");
    }

    @Test
    void aSecondProcessIsRefusedWhileABackupHoldsTheH2Repository() throws Exception {
        api.listLatency(Duration.ofMillis(150));
        Process process = kbackup.spawn("backup", "--name", "busy");
        var stored = Stored.filesystem(dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (Stored.packs(stored) == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }

        Kbackup.Result second = kbackup.run("backup", "--name", "busy");

        assertThat(second.exitCode()).as(second.toString()).isEqualTo(2);
        assertThat(second.err()).contains("another kbackup process is using the H2 job repository");
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theJsonProfileWritesStructuredLogLines() throws Exception {
        Process process = kbackup.spawn("backup", "--name", "json-logs", "--spring.profiles.active=json");
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        List<String> lines = Files.readAllLines(kbackup.childLog(process)).stream().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.path("log").path("level").asText()).isNotEmpty();
            assertThat(event.has("message")).isTrue();
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("Backup json-logs Completed"));
    }

    @Test
    void sigtermStopsTheRunAtACommitAndTheNextLaunchResumesIt() throws Exception {
        api.listLatency(Duration.ofMillis(150));
        Process process = kbackup.spawn("backup", "--name", "terminated");
        var stored = Stored.filesystem(dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (Stored.packs(stored) < 2) {
            assertThat(process.isAlive()).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        JsonNode report = JSON.readTree(kbackup.run("report", "--job", "backup", "-o", "json").out());
        assertThat(report.path("executions").get(0).path("status").asText()).isEqualTo("STOPPED");
        api.listLatency(Duration.ZERO);

        Kbackup.Result resumed = kbackup.run("backup", "--name", "terminated");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.keys(stored, "terminated")).doesNotHaveDuplicates().hasSize(201);
    }
}
