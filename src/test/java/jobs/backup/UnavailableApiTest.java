package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real cluster's API does that the fixture's does not: an aggregated API whose backend is down (503 for its
 * discovery document and its lists), and a single type whose list the aggregator cannot serve.
 */
class UnavailableApiTest {

    @TempDir
    Path dir;
    ApiServer api;
    Kbackup kbackup;
    RestorePoints stored;
    List<String> everything;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
        kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=5", "--kbackup.kube.request-retries=1");
        stored = Stored.filesystem(dir);
        assertThat(kbackup.run("backup", "--name", "healthy").exitCode()).isZero();
        everything = Stored.keys(stored, "healthy");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void anAggregatedGroupAnswering503IsLeftOutWithAWarningAndTheRestIsBackedUp() throws Exception {
        api.unavailableGroup("metrics.k8s.io/v1beta1");

        Kbackup.Result result = kbackup.run("backup", "--name", "degraded");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Manifest manifest = Stored.manifest(stored, "degraded");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(stored, "degraded")).containsExactlyInAnyOrderElementsOf(everything);
        assertThat(manifest.warnings()).singleElement().satisfies(w -> {
            assertThat(w.resource()).isEqualTo("metrics.k8s.io/v1beta1");
            assertThat(w.message()).contains("503").contains("unable to handle the request");
        });
        assertThat(kbackup.run("describe", "degraded").out())
                .contains("Warnings:\n  metrics.k8s.io/v1beta1: discover metrics.k8s.io/v1beta1 failed (HTTP 503)");
        JsonNode listed = new ObjectMapper().readTree(kbackup.run("list", "-o", "json").out());
        JsonNode degraded = null;
        for (JsonNode point : listed) {
            if (point.path("name").asText().equals("degraded")) {
                degraded = point;
            }
        }
        assertThat(degraded).isNotNull();
        assertThat(degraded.path("warnings").get(0).path("resource").asText()).isEqualTo("metrics.k8s.io/v1beta1");
        assertThat(kbackup.run("list").out()).contains("WARNINGS");
    }

    @Test
    void includeResourcesNamingATypeOfAnUnavailableGroupEndsPartiallyFailedNamingIt() {
        api.unavailableGroup("metrics.k8s.io/v1beta1");

        Kbackup.Result result = kbackup.run("backup", "--name", "named",
                "--include-resources", "configmaps,pods.metrics.k8s.io");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        Manifest manifest = Stored.manifest(stored, "named");
        assertThat(manifest.phase()).isEqualTo(Phase.PartiallyFailed);
        assertThat(manifest.errors()).singleElement().satisfies(e -> {
            assertThat(e.resource()).isEqualTo("pods.metrics.k8s.io");
            assertThat(e.message()).contains("could not be listed").contains("503");
        });
        assertThat(Stored.keys(stored, "named")).contains("ConfigMap shop/app-config", "ConfigMap billing/billing-config");
        assertThat(kbackup.run("describe", "named").out()).contains("pods.metrics.k8s.io: could not be listed");
    }

    @Test
    void aResourceNameNoGroupCouldServeIsStillBadInput() {
        api.unavailableGroup("metrics.k8s.io/v1beta1");

        Kbackup.Result result = kbackup.run("backup", "--name", "typo", "--include-resources", "deploymentz.apps");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("unknown resource 'deploymentz.apps'");
        assertThat(stored.find("typo")).isEmpty();
    }

    @Test
    void aTypeWhoseListAnswers503IsSkippedWithAWarning() {
        api.failNext("GET", "/apis/example.com/v1/widgets", 1_000, 503, null);

        Kbackup.Result result = kbackup.run("backup", "--name", "no-widgets");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Manifest manifest = Stored.manifest(stored, "no-widgets");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.warnings()).singleElement().satisfies(w -> {
            assertThat(w.resource()).isEqualTo("widgets.example.com");
            assertThat(w.message()).contains("HTTP 503");
        });
        assertThat(Stored.keys(stored, "no-widgets"))
                .containsExactlyInAnyOrderElementsOf(everything.stream().filter(k -> !k.startsWith("Widget ")).toList());
    }

    @Test
    void aTypeWhoseListFailsOtherwiseStillFailsTheBackupForAResume() {
        api.failNext("GET", "/apis/example.com/v1/widgets", 1_000, 500, null);

        Kbackup.Result result = kbackup.run("backup", "--name", "broken");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(Stored.manifest(stored, "broken").phase()).isEqualTo(Phase.Failed);
    }
}
