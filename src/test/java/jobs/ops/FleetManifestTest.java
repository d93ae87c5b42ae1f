package jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.Manifests;
import jobs.testing.Rbac;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Applies the hub manifest k8s/fleet.yaml with k8s/postgres.yaml to the API double and checks that it fits together:
 * the fleet CronJob runs the kubernetes runner against the shared PostgreSQL, its account may run worker Jobs and read
 * their pods in its namespace, hold Leases, and read exactly the kubeconfig Secrets its fleet configuration names.
 */
class FleetManifestTest {

    static ApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void apply() throws Exception {
        api = ApiServer.start();
        client = api.client();
        Manifests.apply(client, "k8s/fleet.yaml", "k8s/postgres.yaml");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static boolean allowed(String verb, String group, String resource, String name) {
        return new Rbac(client).allowed("kbackup", "kbackup-fleet", verb, group, resource, "kbackup", name);
    }

    private static JsonNode fleetConfig() throws Exception {
        String yaml = client.configMaps().inNamespace("kbackup").withName("kbackup-fleet-config").get().getData().get("application.yaml");
        return new ObjectMapper(new YAMLFactory()).readTree(yaml).path("kbackup");
    }

    @Test
    void theFleetCronJobRunsTheKubernetesRunnerOnTheSharedDatabase() throws Exception {
        CronJob backup = client.batch().v1().cronjobs().inNamespace("kbackup").withName("kbackup-fleet-backup").get();
        PodTemplateSpec pod = backup.getSpec().getJobTemplate().getSpec().getTemplate();
        var container = pod.getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsExactly("fleet", "backup", "--runner", "kubernetes");
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("kbackup-fleet");
        assertThat(backup.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        var url = container.getEnv().stream().filter(e -> e.getName().equals("SPRING_DATASOURCE_URL")).findFirst().orElseThrow();
        String secret = url.getValueFrom().getSecretKeyRef().getName();
        var data = client.secrets().inNamespace("kbackup").withName(secret).get().getData();
        String jdbc = new String(java.util.Base64.getDecoder().decode(data.get("url")), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jdbc).startsWith("jdbc:postgresql://kbackup-postgres.kbackup.svc:");
        assertThat(client.services().inNamespace("kbackup").withName("kbackup-postgres").get()).isNotNull();
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("POD_NAME"));
        // Worker pods copy the manager's labels, so the database admits them as it admits the manager.
        var policy = client.network().v1().networkPolicies().inNamespace("kbackup").withName("kbackup-postgres").get();
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> assertThat(rule.getFrom()).anySatisfy(from ->
                assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(from.getPodSelector().getMatchLabels())));
        assertThat(pod.getSpec().getVolumes()).allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull());
        assertThat(fleetConfig().path("fleet").path("runner").asText()).isEqualTo("kubernetes");

        CronJob purge = client.batch().v1().cronjobs().inNamespace("kbackup").withName("kbackup-fleet-purge").get();
        assertThat(purge.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("fleet", "purge");
    }

    @Test
    void theFleetAccountMayRunWorkersAndReadOnlyItsMembersKubeconfigs() throws Exception {
        for (String verb : List.of("create", "get", "list", "delete")) {
            assertThat(allowed(verb, "batch", "jobs", null)).as("%s jobs", verb).isTrue();
        }
        assertThat(allowed("list", "", "pods", null)).isTrue();
        assertThat(allowed("delete", "", "pods", null)).as("pods go with their Job").isFalse();
        for (String verb : List.of("get", "create", "update", "delete")) {
            assertThat(allowed(verb, "coordination.k8s.io", "leases", null)).as("%s leases", verb).isTrue();
        }
        List<String> secrets = new ArrayList<>();
        fleetConfig().path("fleet").path("clusters").forEach(c -> secrets.add(c.path("kubeconfig-secret").asText()));
        assertThat(secrets).hasSize(3);
        for (String name : secrets) {
            assertThat(client.secrets().inNamespace("kbackup").withName(name).get()).as(name).isNotNull();
            assertThat(allowed("get", "", "secrets", name)).as("get Secret " + name).isTrue();
        }
        assertThat(allowed("get", "", "secrets", "kbackup-jobs-db")).as("no other Secret through the API").isFalse();
        assertThat(allowed("list", "", "secrets", null)).isFalse();
        assertThat(new Rbac(client).allowed("kbackup", "kbackup-fleet", "create", "batch", "jobs", "default")).as("only its namespace").isFalse();
    }
}
