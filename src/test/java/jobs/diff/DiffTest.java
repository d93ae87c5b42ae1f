package jobs.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.file.Path;
import jobs.support.Json;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kbackup diff on hand-made pairs: objects added, removed and changed between two restore points of the fixture
 * cluster, a change only in fields the server changes (no difference), status only with --include-status, and a
 * restore point against the cluster it was restored into under a namespace mapping (no difference).
 */
class DiffTest {

    private static final String SHOP = "--include-namespaces=shop";

    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    @TempDir
    Path dir;

    private Kbackup backup(String name) {
        Kbackup kbackup = Kbackup.filesystem(dir, cluster.api());
        Kbackup.Result result = kbackup.run("backup", "--name", name, SHOP, "--snapshot-volumes", "false");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return kbackup;
    }

    /** Between the backups: app-config changed, db-pass deleted, fresh added, web's status and leaving's resourceVersion moved. */
    private Kbackup churn() {
        backup("before");
        var client = cluster.api().client();
        client.configMaps().inNamespace("shop").withName("app-config").edit(c -> {
            c.getData().put("mode", "maintenance");
            return c;
        });
        client.secrets().inNamespace("shop").withName("db-pass").delete();
        client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("fresh").withNamespace("shop")
                .endMetadata().addToData("k", "v").build()).create();
        client.configMaps().inNamespace("shop").withName("leaving").edit(c -> c); // a write that changes nothing but resourceVersion
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> {
            d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(1).build());
            return d;
        });
        return backup("after");
    }

    @Test
    void addedRemovedAndChangedObjectsWithAJsonPatchEach() throws Exception {
        Kbackup kbackup = churn();

        Kbackup.Result table = kbackup.run("diff", "before", "after");
        Kbackup.Result json = kbackup.run("diff", "before", "after", "-o", "json");

        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("~ configmaps shop/app-config: replace /data/mode", "+ configmaps shop/fresh",
                "- secrets shop/db-pass").doesNotContain("leaving").doesNotContain("deployments");
        JsonNode result = Json.mapper().readTree(json.out());
        JsonNode configMaps = result.path("types").path(0);
        assertThat(configMaps.path("type").asText()).isEqualTo("configmaps");
        assertThat(configMaps.path("changed").path(0).path("patch")).isEqualTo(Json.mapper().readTree(
                "[{\"op\":\"replace\",\"path\":\"/data/mode\",\"value\":\"maintenance\"}]"));
        assertThat(result.path("types")).extracting(t -> t.path("type").asText()).containsExactly("configmaps", "secrets");
    }

    @Test
    void statusOnlyWithIncludeStatusAndTheExitCodeOnlyWithExitCode() {
        Kbackup kbackup = churn();

        Kbackup.Result withStatus = kbackup.run("diff", "before", "after", "--include-status", "--include-resources", "deployments");
        Kbackup.Result same = kbackup.run("diff", "before", "after", "--include-resources", "deployments", "--exit-code");
        Kbackup.Result different = kbackup.run("diff", "before", "after", "--exit-code");

        assertThat(withStatus.out()).contains("~ deployments.apps shop/web: add /status");
        assertThat(same.out()).contains("Diff before -> after: no differences");
        assertThat(same.exitCode()).isZero();
        assertThat(different.exitCode()).isEqualTo(4);
    }

    @Test
    void aMappedRestoreMatchesItsRestorePointLive() {
        Kbackup kbackup = backup("source");
        String types = "configmaps,secrets,roles,rolebindings,deployments";
        Kbackup.Result restore = kbackup.run("restore", "--from", "source", "--name", "copy", "--namespace-mapping", "shop=shop2",
                "--include-resources", types);
        assertThat(restore.exitCode()).as(restore.toString()).isZero();

        Kbackup.Result same = kbackup.run("diff", "source", "--live", "--namespace-mapping", "shop=shop2", "--include-resources", types,
                "--exit-code");
        cluster.api().client().configMaps().inNamespace("shop2").withName("app-config").edit(c -> {
            c.getData().put("mode", "drift");
            return c;
        });
        Kbackup.Result drifted = kbackup.run("diff", "source", "--live", "--namespace-mapping", "shop=shop2", "--include-resources", types);

        assertThat(same.exitCode()).as(same.toString()).isZero();
        assertThat(same.out()).contains("no differences");
        assertThat(drifted.out()).contains("~ configmaps shop2/app-config: replace /data/mode");
    }

    /** The same through Azure Blob (Azurite): restore points read through the store port alike. */
    @Test
    void diffsRestorePointsInAzureBlob() {
        Kbackup azure = Kbackup.azure(dir, cluster.api(), "diff-" + java.util.UUID.randomUUID().toString().substring(0, 8))
                .with("--kbackup.backup.pack-objects=3");
        assertThat(azure.run("backup", "--name", "one", SHOP, "--snapshot-volumes", "false").exitCode()).isZero();
        cluster.api().client().configMaps().inNamespace("shop").withName("app-config").edit(c -> {
            c.getData().remove("mode");
            return c;
        });
        assertThat(azure.run("backup", "--name", "two", SHOP, "--snapshot-volumes", "false").exitCode()).isZero();

        Kbackup.Result result = azure.run("diff", "one", "two", "--include-resources", "configmaps");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("~ configmaps shop/app-config: remove /data").doesNotContain("secrets");
    }

    @Test
    void badInputIsRefusedNamingIt() {
        Kbackup kbackup = backup("only");

        Kbackup.Result missing = kbackup.run("diff", "only", "nope");
        Kbackup.Result neither = kbackup.run("diff", "only");
        Kbackup.Result mappingWithoutLive = kbackup.run("diff", "only", "only", "--namespace-mapping", "a=b");

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("TO: restore point 'nope' not found");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("TO: name a second restore point, or compare with the cluster with --live");
        assertThat(mappingWithoutLive.exitCode()).isEqualTo(2);
        assertThat(mappingWithoutLive.err()).contains("--namespace-mapping: only with --live ('a=b')");
    }
}
