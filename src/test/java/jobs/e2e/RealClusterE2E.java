package jobs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disaster a backup is for, on a real cluster: back up a namespace, delete it, restore it, and find it whole,
 * with its volume's data when {@code KBACKUP_E2E_SNAPSHOT_CLASS} names a VolumeSnapshotClass. Runs only in the
 * e2e profile ({@code ./mvnw -B verify -Pe2e}) and only with {@code KUBECONFIG} set; the README says how to run it
 * on kind or AKS. Everything it creates is removed at the end, snapshots included (by a purge).
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
class RealClusterE2E {

    private static final String SNAPSHOT_CLASS = System.getenv("KBACKUP_E2E_SNAPSHOT_CLASS");
    private static final String STORAGE_CLASS = System.getenv("KBACKUP_E2E_STORAGE_CLASS");
    private static final String IMAGE = Objects.requireNonNullElse(System.getenv("KBACKUP_E2E_IMAGE"), "busybox:1.36");
    private static final String MARKER = "written-by-kbackup-e2e";

    @TempDir
    Path dir;
    KubernetesClient client;
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String namespace = "kbackup-e2e-" + suffix;
    Kbackup kbackup;

    @BeforeEach
    void connect() {
        client = new KubernetesClientBuilder().build();
        List<String> settings = new ArrayList<>();
        settings.add("--kbackup.policy.retention=1d");
        if (SNAPSHOT_CLASS != null) {
            settings.add("--kbackup.snapshots.provider=csi");
            settings.add("--kbackup.snapshots.csi.volume-snapshot-class=" + SNAPSHOT_CLASS);
        }
        kbackup = Kbackup.filesystem(dir, Path.of(System.getenv("KUBECONFIG").split(java.io.File.pathSeparator)[0]))
                .with(settings.toArray(String[]::new));
    }

    @AfterEach
    void cleanUp() throws Exception {
        client.namespaces().withName(namespace).delete();
        // The backup's snapshots go with its restore point; the restore's pre-provisioned contents are Retain.
        Thread.sleep(1_100);
        kbackup.run("purge", "--keep-last", "0");
        client.genericKubernetesResources("snapshot.storage.k8s.io/v1", "VolumeSnapshotContent")
                .withLabel("kbackup.io/restore-name", "r-" + suffix).delete();
        client.close();
    }

    @Test
    void aDeletedNamespaceComesBackWhole() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .addToData("mode", "live").build()).create();
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .addToStringData("password", "s3cret").build()).create();
        client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build()).create();
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer()
                .withName("web").withImage(IMAGE).withCommand("sleep", "3600").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        if (SNAPSHOT_CLASS != null) {
            client.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                    .withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(STORAGE_CLASS)
                    .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
            runToCompletion("writer", "echo " + MARKER + " > /data/marker && sync && cat /data/marker");
        }
        String backup = "e2e-" + suffix;
        Kbackup.Result backedUp = kbackup.run("backup", "--name", backup, "--include-namespaces", namespace, "--ttl", "1s");
        assertThat(backedUp.exitCode()).as(backedUp.toString()).isZero();

        client.namespaces().withName(namespace).delete();
        client.namespaces().withName(namespace).waitUntilCondition(Objects::isNull, 10, TimeUnit.MINUTES);

        Kbackup.Result restored = kbackup.run("restore", "--from", backup, "--name", "r-" + suffix);

        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(client.configMaps().inNamespace(namespace).withName("settings").get().getData()).containsEntry("mode", "live");
        assertThat(client.secrets().inNamespace(namespace).withName("creds").get().getData()).containsEntry("password", "czNjcmV0");
        assertThat(client.services().inNamespace(namespace).withName("web").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace(namespace).withName("web").get()).isNotNull();
        if (SNAPSHOT_CLASS != null) {
            client.pods().inNamespace(namespace).withName("writer").delete();
            assertThat(runToCompletion("reader", "cat /data/marker")).contains(MARKER);
        }
    }

    /** Runs a shell command in a pod that mounts the claim {@code data}, and returns its log once it succeeded. */
    private String runToCompletion(String name, String command) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName(name).withImage(IMAGE)
                .withCommand("sh", "-c", command).addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data")
                .endPersistentVolumeClaim().endVolume().endSpec().build()).create();
        Pod done = client.pods().inNamespace(namespace).withName(name).waitUntilCondition(p -> p != null && p.getStatus() != null
                && List.of("Succeeded", "Failed").contains(p.getStatus().getPhase()), 10, TimeUnit.MINUTES);
        String log = client.pods().inNamespace(namespace).withName(name).getLog();
        assertThat(done.getStatus().getPhase()).as(log).isEqualTo("Succeeded");
        return log;
    }
}
