package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import jobs.testing.ApiServer;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API double stores objects as a real server does (a Secret's stringData converted into data, Kubernetes'
 * defaults applied), so a round trip compares what a real cluster would hold: restored objects carry what the
 * source server defaulted, and restoring them again finds every one unchanged, none "differs".
 */
class ServerShapedRoundTripTest {

    @RegisterExtension
    final FixtureCluster source = new FixtureCluster();
    @TempDir
    Path dir;

    @Test
    void whatTheServerDefaultedComesBackAndASecondRestoreFindsItUnchanged() throws Exception {
        Secret stored = source.api().client().secrets().inNamespace("shop").withName("db-pass").get();
        assertThat(stored.getStringData()).as("converted by the server").isNullOrEmpty();
        assertThat(stored.getData()).containsEntry("password", base64("s3cret"));
        assertThat(source.api().client().services().inNamespace("shop").withName("web").get().getSpec().getSessionAffinity())
                .isEqualTo("None");
        Kbackup fromSource = Kbackup.filesystem(dir, source.api());
        assertThat(fromSource.run("backup", "--name", "shop", "--include-namespaces", "shop").exitCode()).isZero();

        try (ApiServer target = ApiServer.start()) {
            Kbackup intoTarget = fromSource.with("--kbackup.kube.kubeconfig="
                    + target.writeKubeconfig(Files.createDirectories(dir.resolve("target"))));
            Kbackup.Result first = intoTarget.run("restore", "--from", "shop", "--name", "first");
            assertThat(first.exitCode()).as(first.toString()).isZero();

            Secret secret = target.client().secrets().inNamespace("shop").withName("db-pass").get();
            assertThat(secret.getData()).containsEntry("password", base64("s3cret"));
            assertThat(secret.getType()).isEqualTo("Opaque");
            Deployment web = target.client().apps().deployments().inNamespace("shop").withName("web").get();
            assertThat(web.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(web.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
            assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");

            Kbackup.Result again = intoTarget.run("restore", "--from", "shop", "--name", "again");

            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.out()).doesNotContain("differs").doesNotContain("Created").contains("Unchanged");
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
