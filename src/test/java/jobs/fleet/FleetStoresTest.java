package jobs.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import jobs.filter.Selection;
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
 * A fleet on Azurite, members reached through kubeconfig Secrets held by the hub cluster, and retention applied per
 * member with each member's own policy.
 */
class FleetStoresTest {

    @TempDir
    Path dir;
    ApiServer hub;
    ApiServer alpha;
    ApiServer beta;

    @BeforeEach
    void clusters() throws Exception {
        hub = ApiServer.start();
        alpha = ApiServer.start();
        ClusterFixture.populate(alpha);
        beta = ApiServer.start();
        beta.create(new NamespaceBuilder().withNewMetadata().withName("team-b").endMetadata().build());
        hub.create(new NamespaceBuilder().withNewMetadata().withName("kbackup").endMetadata().build());
        for (var member : List.of(java.util.Map.entry("alpha", alpha), java.util.Map.entry("beta", beta))) {
            String kubeconfig = Files.readString(member.getValue().writeKubeconfig(Files.createDirectories(dir.resolve(member.getKey()))));
            hub.create(new SecretBuilder().withNewMetadata().withName(member.getKey() + "-kubeconfig").withNamespace("kbackup").endMetadata()
                    .addToData(member.getKey().equals("alpha") ? "kubeconfig" : "value",
                            Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))).build());
        }
    }

    @AfterEach
    void stop() {
        hub.close();
        alpha.close();
        beta.close();
    }

    Kbackup secrets(Kbackup workspace) {
        return workspace.with("--kbackup.kube.request-retries=1",
                "--kbackup.fleet.clusters[0].name=alpha", "--kbackup.fleet.clusters[0].kubeconfig-secret=kbackup/alpha-kubeconfig",
                "--kbackup.fleet.clusters[1].name=beta", "--kbackup.fleet.clusters[1].kubeconfig-secret=kbackup/beta-kubeconfig",
                "--kbackup.fleet.clusters[2].name=gamma", "--kbackup.fleet.clusters[2].kubeconfig-secret=kbackup/gamma-kubeconfig");
    }

    @Test
    void membersReachedThroughSecretsAreBackedUpIntoOneAzureContainer() throws Exception {
        String container = "fleet-" + System.nanoTime() % 1_000_000;
        Kbackup kbackup = secrets(Kbackup.azure(dir, hub, container));

        Kbackup.Result result = kbackup.run("fleet", "backup", "--name", "n1", "--parallelism", "2");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.out()).containsPattern("gamma\\s+FAILED .*no Secret kbackup/gamma-kubeconfig");
        RestorePoints alphaPoints = new RestorePoints(Stored.azureBlobs(container, "clusters/alpha"));
        RestorePoints betaPoints = new RestorePoints(Stored.azureBlobs(container, "clusters/beta"));
        assertThat(Stored.manifest(alphaPoints, "n1").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(alphaPoints, "n1")).contains("ConfigMap shop/app-config").doesNotHaveDuplicates();
        assertThat(Stored.keys(betaPoints, "n1")).contains("Namespace team-b").doesNotContain("ConfigMap shop/app-config");
        assertThat(kbackup.run("list", "--cluster", "alpha").out()).contains("n1");
    }

    @Test
    void retentionIsEachMembersOwn() throws Exception {
        Kbackup kbackup = secrets(Kbackup.filesystem(dir, hub)).with("--kbackup.fleet.clusters[1].policy.keep-last=0");
        Instant now = Instant.now();
        for (String member : List.of("alpha", "beta")) {
            RestorePoints points = Fleets.member(dir, member);
            for (int i = 1; i <= 2; i++) {
                Instant started = now.minus(Duration.ofDays(11 - i));
                points.create(Manifest.started(member + i, started, started.plus(Duration.ofDays(7)), member, Selection.everything())
                        .finished(started.plusSeconds(60), 1, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null));
            }
        }

        Kbackup.Result result = kbackup.run("fleet", "purge");

        assertThat(result.exitCode()).as("gamma's Secret is missing: " + result).isEqualTo(3);
        assertThat(result.out()).containsPattern("alpha\\s+DONE\\s+2\\s+1").containsPattern("beta\\s+DONE\\s+2\\s+2")
                .containsPattern("gamma\\s+FAILED.*no Secret kbackup/gamma-kubeconfig");
        assertThat(Fleets.member(dir, "alpha").list()).extracting(Manifest::name).containsExactly("alpha2");
        assertThat(Fleets.member(dir, "beta").list()).as("beta keeps none past retention").isEmpty();
    }
}
