package jobs.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jobs.kube.Fabric8Cluster;
import jobs.support.Json;
import jobs.testing.ApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hooks run through the product's cluster port over {@code pods/exec} (fabric8, WebSocket) against the API double's
 * exec, whose commands are scripted per pod: exit codes, output tails, timeouts, the default container, and the
 * server's refusals all come back as results, never as exceptions.
 */
class HookRunnerTest {

    @TempDir
    Path dir;
    ApiServer api;
    KubernetesClient kbackup;
    HookRunner runner;

    @BeforeEach
    void start() throws Exception {
        api = ApiServer.start();
        api.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("shop")
                .endMetadata().build()).create();
        // As kbackup's account (the kubeconfig's token), which the double's deny list applies to.
        kbackup = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.writeKubeconfig(dir)))).build();
        runner = new HookRunner(new Fabric8Cluster(kbackup));
    }

    @AfterEach
    void stop() {
        kbackup.close();
        api.close();
    }

    private JsonNode pod(String name, String phase, String script, String... containers) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .addToAnnotations("exec.test.kbackup.io/script", script).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase(phase).endStatus();
        for (String container : containers) {
            pod.editSpec().addNewContainer().withName(container).withImage("postgres:16").endContainer().endSpec();
        }
        return Json.mapper().valueToTree(api.client().pods().inNamespace("shop").resource(pod.build()).create());
    }

    @Test
    void aSucceedingCommandRunsInTheFirstContainerByDefault() {
        JsonNode pod = pod("db-0", "Running", "[{\"match\": \"CHECKPOINT\", \"stdout\": \"CHECKPOINT\\n\"}]", "db", "exporter");

        HookResult result = runner.run(pod, new ExecHook(null, List.of("psql", "-c", "CHECKPOINT"), null, null, "test"), "pre");

        assertThat(result.outcome()).isEqualTo(HookResult.SUCCEEDED);
        assertThat(result.container()).isEqualTo("db");
        assertThat(result.stdout()).isEqualTo("CHECKPOINT\n");
        assertThat(api.events().matching("exec-end shop/db-0/db psql -c CHECKPOINT exit 0")).hasSize(1);
    }

    @Test
    void aNonZeroExitIsAFailureWithItsCodeAndStderr() {
        JsonNode pod = pod("db-0", "Running", "[{\"match\": \"fsfreeze\", \"exit\": 2, \"stderr\": \"fsfreeze: cannot open /data: No such file\"}]", "db");

        HookResult result = runner.run(pod, new ExecHook("db", List.of("fsfreeze", "--freeze", "/data"), OnError.FAIL, null, "test"), "pre");

        assertThat(result.outcome()).isEqualTo(HookResult.FAILED);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stops()).isTrue();
        assertThat(result.describe()).isEqualTo("pre hook [fsfreeze, --freeze, /data] in shop/db-0/db failed: exit 2: "
                + "fsfreeze: cannot open /data: No such file");
    }

    @Test
    void aCommandThatOutlivesItsTimeoutTimesOut() {
        JsonNode pod = pod("db-0", "Running", "[{\"match\": \"slow\", \"delayMs\": 3000}]", "db");

        HookResult result = runner.run(pod, new ExecHook(null, List.of("slow"), OnError.CONTINUE, Duration.ofMillis(300), "test"), "post");

        assertThat(result.outcome()).isEqualTo(HookResult.TIMED_OUT);
        assertThat(result.millis()).isBetween(300L, 2500L);
        assertThat(result.stops()).as("Continue").isFalse();
    }

    @Test
    void whatTheServerRefusesIsAnErrorNamingWhy() {
        JsonNode finished = pod("migrate", "Succeeded", "[]", "m");
        JsonNode running = pod("db-0", "Running", "[]", "db");

        HookResult notRunning = runner.run(finished, new ExecHook(null, List.of("true"), null, null, "test"), "pre");
        HookResult noContainer = runner.run(running, new ExecHook("sidecar", List.of("true"), null, null, "test"), "pre");
        api.deny("create", "", "pods/exec", "shop");
        HookResult forbidden = runner.run(running, new ExecHook(null, List.of("true"), null, null, "test"), "pre");

        assertThat(notRunning.outcome()).isEqualTo(HookResult.ERROR);
        assertThat(notRunning.stderr()).isEqualTo("pod is Succeeded, not Running");
        assertThat(noContainer.stderr()).isEqualTo("the pod has no container 'sidecar'");
        assertThat(forbidden.outcome()).isEqualTo(HookResult.ERROR);
        assertThat(forbidden.stderr()).contains("refused by the API server (HTTP 403): the account may not create pods/exec");
    }
}
