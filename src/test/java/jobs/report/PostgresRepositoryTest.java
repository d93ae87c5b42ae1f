package jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job repository on a real PostgreSQL server (started by the test from Maven-shipped binaries), not only H2. */
class PostgresRepositoryTest {

    @TempDir
    Path dir;

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
}
