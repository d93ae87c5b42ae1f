package jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.testing.ApiServer;
import jobs.testing.Manifests;
import jobs.testing.Rbac;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Applies k8s/cronjob.yaml and k8s/postgres.yaml to the API double, as {@code kubectl apply} would, and checks how
 * the applied objects fit together: every kbackup pod reaches the shared PostgreSQL job repository through the
 * Secret, Service and StatefulSet that exist, no pod mounts a ReadWriteOnce volume, and every account a pod runs as
 * may hold its run's Lease, and the restore account may create what a backup holds. RBAC is evaluated by the tests'
 * own {@link Rbac}, from the Roles and bindings read back from the server.
 */
class ManifestWiringTest {

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc:(\\d+)/([a-z0-9_]+)");

    static ApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void apply() throws Exception {
        api = ApiServer.start();
        client = api.client();
        Manifests.apply(client, "k8s/cronjob.yaml", "k8s/postgres.yaml");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static List<PodTemplateSpec> kbackupPods() {
        List<PodTemplateSpec> pods = new ArrayList<>();
        client.batch().v1().cronjobs().inNamespace("kbackup").list().getItems()
                .forEach(c -> pods.add(c.getSpec().getJobTemplate().getSpec().getTemplate()));
        client.batch().v1().jobs().inNamespace("kbackup").list().getItems().forEach(j -> pods.add(j.getSpec().getTemplate()));
        assertThat(pods).as("two CronJobs and the restore Job").hasSize(3);
        return pods;
    }

    private static EnvVar env(PodTemplateSpec pod, String name) {
        return pod.getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + pod.getSpec().getServiceAccountName() + "'s pod"));
    }

    /** The value of a Secret key an env variable refers to, read from the server. */
    private static String secretValue(EnvVar env) {
        var ref = env.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace("kbackup").withName(ref.getName()).get();
        assertThat(secret).as("Secret " + ref.getName()).isNotNull();
        Map<String, String> data = secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())
                ? secret.getStringData() : decode(secret.getData());
        assertThat(data).as("Secret " + ref.getName()).containsKey(ref.getKey());
        return data.get(ref.getKey());
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> plain = new java.util.HashMap<>();
        if (data != null) {
            data.forEach((k, v) -> plain.put(k, new String(java.util.Base64.getDecoder().decode(v))));
        }
        return plain;
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return labels != null && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    @Test
    void everyPodReachesTheSharedPostgresThroughObjectsThatExist() {
        for (PodTemplateSpec pod : kbackupPods()) {
            String url = secretValue(env(pod, "SPRING_DATASOURCE_URL"));
            Matcher m = JDBC_URL.matcher(url);
            assertThat(m.matches()).as(url).isTrue();
            Service service = client.services().inNamespace(m.group(2)).withName(m.group(1)).get();
            assertThat(service).as("Service " + m.group(1) + "." + m.group(2)).isNotNull();
            assertThat(service.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getPort()).isEqualTo(Integer.parseInt(m.group(3))));

            StatefulSet postgres = client.apps().statefulSets().inNamespace(m.group(2)).list().getItems().stream()
                    .filter(s -> selects(service.getSpec().getSelector(), s.getSpec().getTemplate().getMetadata().getLabels()))
                    .findFirst().orElseThrow(() -> new AssertionError("no StatefulSet behind Service " + m.group(1)));
            var container = postgres.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getImage()).startsWith("docker.io/library/postgres:");
            assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(service.getSpec().getPorts().get(0)
                    .getTargetPort().getStrVal()));
            PodTemplateSpec server = postgres.getSpec().getTemplate();
            assertThat(env(server, "POSTGRES_DB").getValue()).isEqualTo(m.group(4));
            assertThat(secretValue(env(server, "POSTGRES_USER"))).isEqualTo(secretValue(env(pod, "SPRING_DATASOURCE_USERNAME")));
            assertThat(secretValue(env(server, "POSTGRES_PASSWORD"))).isEqualTo(secretValue(env(pod, "SPRING_DATASOURCE_PASSWORD")));
            assertThat(postgres.getSpec().getVolumeClaimTemplates()).singleElement()
                    .satisfies(c -> assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteOnce"));

            NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace(m.group(2)).list().getItems().stream()
                    .filter(p -> selects(p.getSpec().getPodSelector().getMatchLabels(), server.getMetadata().getLabels()))
                    .findFirst().orElseThrow();
            assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> assertThat(rule.getFrom())
                    .anySatisfy(from -> assertThat(selects(from.getPodSelector().getMatchLabels(), pod.getMetadata().getLabels()))
                            .as("the database admits the %s pod", pod.getSpec().getServiceAccountName()).isTrue()));
        }
    }

    @Test
    void noKbackupPodMountsAVolumeThatOnlyOneNodeCanAttach() {
        for (PodTemplateSpec pod : kbackupPods()) {
            assertThat(pod.getSpec().getVolumes()).allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).as(v.getName()).isNull());
            assertThat(pod.getSpec().getContainers().get(0).getEnv()).noneSatisfy(e -> assertThat(e.getValue()).startsWith("jdbc:h2"));
        }
        assertThat(client.persistentVolumeClaims().inNamespace("kbackup").list().getItems()).isEmpty();
    }

    @Test
    void everyPodOwnsItsRunsByALeaseItMayHold() {
        for (PodTemplateSpec pod : kbackupPods()) {
            assertThat(env(pod, "KBACKUP_RUN_OWNERSHIP").getValue()).isEqualTo("lease");
            assertThat(env(pod, "POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
            String account = pod.getSpec().getServiceAccountName();
            assertThat(client.serviceAccounts().inNamespace("kbackup").withName(account).get()).isNotNull();
            // The lease lives in the pod's own namespace (kbackup.run.lease-namespace is not set).
            for (String verb : List.of("get", "create", "update", "delete")) {
                assertThat(allowed(account, verb, "coordination.k8s.io", "leases", "kbackup"))
                        .as("%s may %s leases in kbackup", account, verb).isTrue();
            }
            assertThat(allowed(account, "delete", "coordination.k8s.io", "leases", "kube-system"))
                    .as("%s may not touch leases elsewhere (kube-system holds the control plane's)", account).isFalse();
        }
    }

    private static boolean allowed(String account, String verb, String group, String resource, String namespace) {
        return new Rbac(client).allowed("kbackup", account, verb, group, resource, namespace);
    }

    /**
     * A real API server lets an account create a Role or binding only with every permission it grants, unless the
     * account may {@code escalate} and {@code bind}; a backup holds RBAC objects of every kind, so the restore account
     * needs both. The backup account stays read-only.
     */
    @Test
    void theRestoreAccountMayRestoreWhatABackupHolds() {
        for (String resource : List.of("roles", "clusterroles")) {
            for (String verb : List.of("create", "escalate", "bind")) {
                assertThat(allowed("kbackup-restore", verb, "rbac.authorization.k8s.io", resource, null)).as("%s %s", verb, resource).isTrue();
            }
            assertThat(allowed("kbackup-backup", "escalate", "rbac.authorization.k8s.io", resource, null)).isFalse();
        }
        for (String resource : List.of("rolebindings", "clusterrolebindings")) {
            assertThat(allowed("kbackup-restore", "create", "rbac.authorization.k8s.io", resource, null)).as(resource).isTrue();
        }
        // Volumes: pre-provisioned snapshot contents and volumes, claims bound to them, in any namespace.
        assertThat(allowed("kbackup-restore", "create", "snapshot.storage.k8s.io", "volumesnapshotcontents", null)).isTrue();
        assertThat(allowed("kbackup-restore", "create", "snapshot.storage.k8s.io", "volumesnapshots", "shop")).isTrue();
        assertThat(allowed("kbackup-restore", "create", "", "persistentvolumes", null)).isTrue();
        assertThat(allowed("kbackup-restore", "create", "", "persistentvolumeclaims", "shop")).isTrue();
        // The existing-resource policy 'update' patches; namespaces and CRDs are created first.
        assertThat(allowed("kbackup-restore", "patch", "apps", "deployments", "shop")).isTrue();
        assertThat(allowed("kbackup-restore", "create", "", "namespaces", null)).isTrue();
        assertThat(allowed("kbackup-restore", "create", "apiextensions.k8s.io", "customresourcedefinitions", null)).isTrue();
        for (String verb : List.of("create", "patch", "delete", "escalate", "bind")) {
            assertThat(allowed("kbackup-backup", verb, "rbac.authorization.k8s.io", "clusterroles", null)).as(verb).isFalse();
        }
    }

    /** CSI backups retain their snapshot contents, and the purge (same account) deletes them and their snapshots. */
    @Test
    void theBackupAccountMayRetainAndPurgeWhatItSnapshots() {
        for (String verb : List.of("create", "get", "delete")) {
            assertThat(allowed("kbackup-backup", verb, "snapshot.storage.k8s.io", "volumesnapshots", "shop")).as(verb).isTrue();
        }
        for (String verb : List.of("get", "patch", "delete")) {
            assertThat(allowed("kbackup-backup", verb, "snapshot.storage.k8s.io", "volumesnapshotcontents", null)).as(verb).isTrue();
        }
        assertThat(allowed("kbackup-backup", "patch", "apps", "deployments", "shop")).isFalse();
    }

    /** Backup hooks run over pods/exec; the backup account may do that and still not change a pod. */
    @Test
    void theBackupAccountMayRunHooks() {
        assertThat(allowed("kbackup-backup", "create", "", "pods/exec", "shop")).isTrue();
        assertThat(allowed("kbackup-backup", "create", "", "pods", "shop")).isFalse();
        assertThat(allowed("kbackup-backup", "delete", "", "pods", "shop")).isFalse();
    }
}
