package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Like AKS Backup's Validate step: before anything is written, a restore asks the target API server (by
 * SelfSubjectAccessReview) for every permission it would need, and names those missing. The API double answers
 * reviews and requests by the same deny list, so what validation reports is what the restore then meets.
 */
class RestoreValidateTest {

    private static final String RBAC = "rbac.authorization.k8s.io";

    @RegisterExtension
    final FixtureCluster source = new FixtureCluster();
    @TempDir
    Path dir;
    ApiServer target;
    Kbackup intoTarget;

    @BeforeEach
    void backUp() throws Exception {
        Kbackup fromSource = Kbackup.filesystem(dir, source.api());
        assertThat(fromSource.run("backup", "--name", "all").exitCode()).isZero();
        target = ApiServer.start();
        intoTarget = fromSource.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(Files.createDirectories(dir.resolve("target"))));
    }

    @AfterEach
    void stop() {
        target.close();
    }

    @Test
    void validateNamesEveryMissingPermissionAndWritesNothing() {
        target.deny("create", RBAC, "rolebindings", "shop");
        target.deny("escalate", RBAC, "clusterroles", null);
        target.deny("create", "", "secrets", null);

        Kbackup.Result result = intoTarget.run("restore", "--from", "all", "--name", "check", "--validate");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).contains("Missing permissions (3 of ")
                .contains("  create rolebindings.rbac.authorization.k8s.io in namespace shop")
                .contains("  escalate clusterroles.rbac.authorization.k8s.io (cluster-wide)")
                .contains("  create secrets in namespace shop")
                .contains("Forbidden rolebindings.rbac.authorization.k8s.io shop/reader: missing permission: create rolebindings");
        assertThat(target.client().namespaces().list().getItems()).as("nothing written to the cluster").isEmpty();
        assertThat(target.client().configMaps().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void validatePassesWhenEverythingIsGranted() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "all", "--name", "check", "--validate");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("Permissions: all \\d+ the restore needs are granted");
        assertThat(target.client().namespaces().list().getItems()).isEmpty();
    }

    /** Binding a ClusterRole needs bind on it, creating a namespace needs create namespaces: both named. */
    @Test
    void aDryRunReportsWhatTheRestoreWouldMeet() {
        target.deny("bind", RBAC, "roles", "shop-copy");
        target.deny("create", "", "namespaces", null);

        Kbackup.Result dryRun = intoTarget.run("restore", "--from", "all", "--name", "preview", "--dry-run",
                "--include-namespaces", "shop", "--namespace-mapping", "shop=shop-copy");

        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).contains("Missing permissions (2 of ")
                .contains("  bind roles.rbac.authorization.k8s.io in namespace shop-copy")
                .contains("  create namespaces (cluster-wide)")
                .containsPattern("Forbidden +rolebindings.rbac.authorization.k8s.io shop-copy/reader");

        // The restore itself meets the same refusals from the API server.
        target.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("shop-copy").endMetadata().build()).create();
        Kbackup.Result restore = intoTarget.run("restore", "--from", "all", "--name", "real",
                "--include-namespaces", "shop", "--namespace-mapping", "shop=shop-copy");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(3);
        assertThat(restore.out()).contains("attempting to grant RBAC permissions not currently held");
        assertThat(target.client().rbac().roleBindings().inNamespace("shop-copy").withName("reader").get()).isNull();
        assertThat(target.client().configMaps().inNamespace("shop-copy").withName("app-config").get()).isNotNull();
    }
}
