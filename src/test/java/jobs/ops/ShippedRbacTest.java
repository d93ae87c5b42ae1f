package jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;
import jobs.testing.WorkloadController;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC that k8s/cronjob.yaml grants each account is enough for what each job does on a real API server: the API
 * double's authorizer is given exactly the rules of the manifest's ClusterRole and Role for the account (read from
 * the YAML, matched by the double's own RBAC matcher) and refuses anything else with 403, as kube-apiserver does.
 * A CSI backup with hooks and lease ownership runs as kbackup-backup; a restore of it with volumes and restore hooks
 * as kbackup-restore; the purge of it, with its snapshot, as kbackup-backup (the purge CronJob's account).
 */
class ShippedRbacTest {

    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    @TempDir
    Path dir;

    /** The rules the manifest binds to a ServiceAccount: its ClusterRole's and the runs Role's (namespace kbackup). */
    private static List<ApiServer.RbacRule> rulesOf(String account) throws Exception {
        List<ApiServer.RbacRule> rules = new ArrayList<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(new File("k8s/cronjob.yaml"))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                String kind = doc.path("kind").asText();
                String name = doc.path("metadata").path("name").asText();
                if (kind.equals("ClusterRole") && name.equals(account) || kind.equals("Role") && name.equals("kbackup-runs")) {
                    String namespace = kind.equals("Role") ? doc.path("metadata").path("namespace").asText() : null;
                    for (JsonNode rule : doc.path("rules")) {
                        rules.add(new ApiServer.RbacRule(strings(rule.path("apiGroups")), strings(rule.path("resources")),
                                strings(rule.path("verbs")), namespace));
                    }
                }
            }
        }
        assertThat(rules).as("rules of " + account).isNotEmpty();
        return rules;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void eachJobRunsWithTheRbacItsAccountIsGranted() throws Exception {
        ApiServer api = cluster.api();
        api.create(new NamespaceBuilder().withNewMetadata().withName("kbackup").endMetadata().build());
        api.create(new PodBuilder().withNewMetadata().withName("db-0").withNamespace("shop")
                .addToAnnotations("pre.hook.backup.velero.io/command", "[\"sync\"]")
                .addToAnnotations("post.hook.restore.velero.io/command", "[\"reindex\"]")
                .addToAnnotations("post.hook.restore.velero.io/wait-for-ready", "true").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().endVolume()
                .endSpec().withNewStatus().withPhase("Running").endStatus().build());
        SnapshotController.createClass(api, "vsc", "Delete");
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.csi.volume-snapshot-class=vsc", "--kbackup.snapshots.timeout=30s",
                "--kbackup.run.ownership=lease", "--kbackup.run.lease-namespace=kbackup", "--kbackup.run.holder=test");
        try (SnapshotController snapshots = new SnapshotController(api, null, Duration.ofMillis(200));
             WorkloadController workloads = new WorkloadController(api, "shop-dr", Duration.ofSeconds(1), Duration.ZERO)) {
            api.grantOnly(rulesOf("kbackup-backup"));
            Kbackup.Result backup = kbackup.run("backup", "--name", "rbac", "--include-namespaces", "shop", "--ttl", "1s");

            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            assertThat(api.events().matching("exec-end shop/db-0/db sync exit 0")).hasSize(1);

            api.grantOnly(rulesOf("kbackup-restore"));
            Kbackup.Result restore = kbackup.run("restore", "--from", "rbac", "--name", "rbac-dr", "--include-namespaces", "shop",
                    "--namespace-mapping", "shop=shop-dr");

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(api.events().matching("exec-end shop-dr/db-0/db reindex exit 0")).hasSize(1);
            assertThat(api.client().persistentVolumeClaims().inNamespace("shop-dr").withName("data").get()).isNotNull();

            // The purge CronJob runs as the backup account: deleting the expired restore point deletes its snapshot.
            api.grantOnly(rulesOf("kbackup-backup"));
            Kbackup.Result purge = kbackup.run("purge", "--keep-last", "0");

            assertThat(purge.exitCode()).as(purge.toString()).isZero();
            assertThat(purge.out()).contains("DELETED  rbac");
            assertThat(api.client().genericKubernetesResources("snapshot.storage.k8s.io/v1", "VolumeSnapshot").inNamespace("shop")
                    .withName("kbackup-rbac-data").get()).as("the backup's VolumeSnapshot").isNull();
        }
    }
}
