package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jobs.testing.ApiServer;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disaster a backup is for: {@code kubectl delete namespace shop}. The API double does what a real server does
 * (the namespace Terminating at once, refusing new content, its objects of every type deleted, then the namespace
 * itself), and a restore brings the namespace back whole.
 */
class DeletedNamespaceTest {

    @TempDir
    Path dir;
    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    ApiServer api;

    @BeforeEach
    void useCluster() {
        api = cluster.api();
    }

    /** Deletes the namespace, lets the fixture's finalizer go as its controller would, and waits for the end. */
    private void deleteAndWait(String namespace) {
        api.client().namespaces().withName(namespace).delete();
        releaseFinalizer();
        api.client().namespaces().withName(namespace).waitUntilCondition(ns -> ns == null, 30, TimeUnit.SECONDS);
    }

    private void releaseFinalizer() {
        api.client().configMaps().inNamespace("shop").withName("leaving")
                .edit(cm -> new ConfigMapBuilder(cm).editMetadata().withFinalizers().endMetadata().build());
    }

    @Test
    void deletingANamespaceTerminatesItThenDeletesEverythingInIt() {
        api.client().namespaces().withName("shop").delete();
        // The fixture's ConfigMap 'leaving' has a finalizer: it holds the namespace in Terminating until it goes.
        api.client().configMaps().inNamespace("shop").withName("app-config")
                .waitUntilCondition(cm -> cm == null, 30, TimeUnit.SECONDS);
        Namespace terminating = api.client().namespaces().withName("shop").get();

        assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThatThrownBy(() -> api.client().configMaps().inNamespace("shop").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("late").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThat(api.client().configMaps().inNamespace("shop").list().getItems()).extracting(cm -> cm.getMetadata().getName())
                .containsExactly("leaving");

        releaseFinalizer();
        api.client().namespaces().withName("shop").waitUntilCondition(ns -> ns == null, 30, TimeUnit.SECONDS);

        assertThat(api.client().configMaps().inNamespace("shop").list().getItems()).isEmpty();
        assertThat(api.client().secrets().inNamespace("shop").list().getItems()).isEmpty();
        assertThat(api.client().apps().deployments().inNamespace("shop").list().getItems()).isEmpty();
        assertThat(api.client().namespaces().withName("billing").get()).as("other namespaces stay").isNotNull();
        assertThat(api.client().configMaps().inNamespace("billing").list().getItems()).isNotEmpty();
    }

    @Test
    void aNamespaceDeletedAfterItsBackupComesBackWhole() {
        Kbackup kbackup = Kbackup.filesystem(dir, api);
        assertThat(kbackup.run("backup", "--name", "before-disaster", "--include-namespaces", "shop").exitCode()).isZero();
        int stored = (int) Stored.keys(Stored.filesystem(dir), "before-disaster").stream().filter(k -> k.contains("shop")).count();

        deleteAndWait("shop");
        assertThat(api.client().configMaps().inNamespace("shop").list().getItems()).isEmpty();

        Kbackup.Result restored = kbackup.run("restore", "--from", "before-disaster", "--name", "after-disaster");

        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(api.client().namespaces().withName("shop").get()).isNotNull();
        assertThat(api.client().configMaps().inNamespace("shop").withName("app-config").get()).isNotNull();
        assertThat(api.client().secrets().inNamespace("shop").withName("db-pass").get().getData()).containsEntry("password", "czNjcmV0");
        assertThat(stored).isPositive();
    }
}
