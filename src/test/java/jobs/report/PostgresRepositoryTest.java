package jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.testing.Stored;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;

/** The job repository on a real PostgreSQL server (started by the test from Maven-shipped binaries), not only H2. */
class PostgresRepositoryTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void stopByIdEndsARunningBackupInAnotherProcessAndASecondLaunchIsRefused() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start(); ApiServer api = ApiServer.start()) {
            Kbackup kbackup = cluster(api, postgres);
            Process process = slowBackup(kbackup, api, "stopped");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            JsonNode running = null;
            while (running == null) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                JsonNode executions = JSON.readTree(kbackup.run("report", "--job", "backup", "--status", "STARTED", "-o", "json").out())
                        .path("executions");
                running = executions.isEmpty() ? null : executions.get(0);
                Thread.sleep(100);
            }

            Kbackup.Result twice = kbackup.run("backup", "--name", "stopped");
            assertThat(twice.exitCode()).as(twice.toString()).isEqualTo(2);
            assertThat(twice.err()).contains("backup 'stopped' is already running (execution " + running.path("id").asText());

            Kbackup.Result stop = kbackup.run("stop", running.path("id").asText());

            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            JsonNode after = JSON.readTree(kbackup.run("report", "--job", "backup", "-o", "json").out()).path("executions").get(0);
            assertThat(after.path("status").asText()).isEqualTo("STOPPED");
            assertThat(kbackup.run("stop", running.path("id").asText()).err()).contains("is STOPPED, not running");
            api.listLatency(Duration.ZERO);
            assertThat(kbackup.run("backup", "--name", "stopped").exitCode()).isZero();
            assertThat(Stored.keys(Stored.filesystem(dir), "stopped")).doesNotHaveDuplicates().hasSize(201);
        }
    }

    /** A backup in another process, over an API server slow enough for the test to act while it runs. */
    private static Process slowBackup(Kbackup kbackup, ApiServer api, String name) throws IOException {
        api.listLatency(Duration.ofMillis(150));
        return kbackup.spawn("backup", "--name", name);
    }

    private Kbackup cluster(ApiServer api, EmbeddedPostgres postgres) {
        api.create(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build());
        for (int i = 0; i < 200; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("app").endMetadata().build());
        }
        return Kbackup.filesystem(dir, api).with(
                "--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--kbackup.kube.page-size=20", "--kbackup.backup.pack-objects=20");
    }

    @Test
    void jobsRecordTheirRunsAndReportsReadThemOnPostgres() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start(); ApiServer api = ApiServer.start()) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build());
            for (int i = 0; i < 50; i++) {
                api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("app").endMetadata().build());
            }
            Kbackup kbackup = Kbackup.filesystem(dir, api).with(
                    "--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                    "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                    "--kbackup.kube.page-size=10", "--kbackup.kube.request-retries=0");

            assertThat(kbackup.run("backup", "--name", "pg").exitCode()).isZero();
            api.failLater("GET", "/configmaps?", 1, 1, 500, null);
            assertThat(kbackup.run("backup", "--name", "pg-failed").exitCode()).isEqualTo(1);
            assertThat(kbackup.run("backup", "--name", "pg-failed").exitCode()).as("resumed on PostgreSQL").isZero();
            Path page = dir.resolve("pg.html");
            assertThat(kbackup.run("report", "-o", "html", "--out", page.toString()).exitCode()).isZero();

            JsonNode report = new ObjectMapper().readTree(kbackup.run("report", "-o", "json").out());

            assertThat(report.path("executions")).hasSize(3);
            assertThat(report.path("executions").get(0).path("status").asText()).isEqualTo("FAILED");
            assertThat(report.path("totals").get(0).path("executions").asInt()).isEqualTo(3);
            assertThat(Files.readString(page)).contains("name=pg-failed");
            assertThat(Files.exists(dir.resolve("jobs.mv.db"))).as("no H2 file when PostgreSQL is configured").isFalse();
        }
    }

    /** What three CronJobs sharing one job repository do: a backup, a purge and a report at the same time. */
    @Test
    void backupPurgeAndReportRunAtOnceOnPostgres() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start(); ApiServer api = ApiServer.start()) {
            Kbackup kbackup = cluster(api, postgres);
            Process backup = slowBackup(kbackup, api, "scheduled");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Stored.filesystem(dir).find("scheduled").isEmpty()) {
                assertThat(backup.isAlive()).isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(50);
            }

            Kbackup.Result purge = kbackup.run("purge", "--output", "json");
            Kbackup.Result report = kbackup.run("report", "-o", "json");

            assertThat(purge.exitCode()).as(purge.toString()).isZero();
            assertThat(purge.out()).contains("scheduled").contains("backup still running");
            assertThat(report.exitCode()).as(report.toString()).isZero();
            JsonNode executions = JSON.readTree(report.out()).path("executions");
            assertThat(executions).extracting(e -> e.path("job").asText() + " " + e.path("status").asText())
                    .containsExactlyInAnyOrder("backup STARTED", "purge COMPLETED");
            assertThat(backup.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(backup.exitValue()).isZero();
            assertThat(Stored.manifest(Stored.filesystem(dir), "scheduled").phase()).isEqualTo(Phase.Completed);
        }
    }
}
