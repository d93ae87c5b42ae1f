package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jobs.kube.ResourceType;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of the fixture cluster restored into an empty second API server and back into the first. */
class RestoreJobTest {

    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path shared;
    static ApiServer source;
    static Kbackup fromSource;
    static RestorePoints stored;

    @TempDir
    Path dir;
    ApiServer target;
    Kbackup intoTarget;

    @BeforeAll
    static void backup() {
        source = ApiServer.start();
        ClusterFixture.populate(source);
        fromSource = Kbackup.filesystem(shared, source).with("--kbackup.backup.pack-objects=4");
        assertThat(fromSource.run("backup", "--name", "full").exitCode()).isZero();
        stored = Stored.filesystem(shared);
    }

    @AfterAll
    static void stopSource() {
        source.close();
    }

    @BeforeEach
    void emptyTarget() throws Exception {
        target = ApiServer.start();
        // Same storage and job repository as the backup, another cluster.
        Files.copy(target.writeKubeconfig(dir), dir.resolve("target-kubeconfig"));
        intoTarget = fromSource.with("--kbackup.kube.kubeconfig=" + dir.resolve("target-kubeconfig"),
                "--kbackup.restore.commit-objects=5");
    }

    @AfterEach
    void stopTarget() {
        target.close();
    }

    /** Every object of the target cluster, as {@code Kind ns/name} to its JSON. */
    static Map<String, JsonNode> everything(ApiServer api) {
        Map<String, JsonNode> all = new HashMap<>();
        for (ResourceType type : new jobs.kube.Fabric8Cluster(api.client()).discover().types()) {
            for (GenericKubernetesResource o : api.client().genericKubernetesResources(type.context()).inAnyNamespace().list().getItems()) {
                all.put(type.kind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                        + o.getMetadata().getName(), JSON.valueToTree(o));
            }
        }
        return all;
    }

    static ObjectNode cleaned(JsonNode o) {
        ObjectNode copy = ObjectCleaner.clean(((ObjectNode) o).deepCopy());
        ObjectNode labels = copy.with("metadata").with("labels");
        labels.remove(List.of("kbackup.io/backup-name", "kbackup.io/restore-name"));
        if (labels.isEmpty()) {
            copy.with("metadata").remove("labels");
        }
        return (ObjectNode) reparse(copy);
    }

    static JsonNode reparse(JsonNode o) {
        try {
            return JSON.readTree(JSON.writeValueAsString(o));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void roundTripIntoAnEmptyClusterRestoresExactlyWhatShouldComeBack() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "full", "--name", "round-trip");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Map<String, JsonNode> restored = everything(target);
        Set<String> expected = new TreeSet<>();
        Map<String, JsonNode> backedUp = new HashMap<>();
        for (JsonNode o : Stored.objects(stored, "full")) {
            backedUp.put(Stored.key(o), o);
            expected.add(Stored.key(o));
        }
        // Recreated by their controllers, or finished: not restored, so no duplicate pods.
        expected.removeAll(List.of("ReplicaSet shop/web-5d8f", "Pod shop/web-5d8f-abcde", "Job shop/migrate"));
        assertThat(restored.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String key : expected) {
            JsonNode actual = restored.get(key);
            assertThat(actual.path("metadata").path("labels").path("kbackup.io/restore-name").asText()).as(key).isEqualTo("round-trip");
            assertThat(actual.path("metadata").path("labels").path("kbackup.io/backup-name").asText()).as(key).isEqualTo("full");
            assertThat(cleaned(actual)).as(key).isEqualTo(cleaned(backedUp.get(key)));
        }
        assertThat(result.out()).contains("Completed").contains("Created 2").doesNotContain("Failed");
        assertThat(result.out()).contains("recreated by its controller Deployment web").contains("job finished (Complete)");
    }

    @Test
    void namespaceMappingRestoresIntoANewNamespaceOfTheSameCluster() {
        Kbackup sameCluster = fromSource;
        Kbackup.Result result = sameCluster.run("restore", "--from", "full", "--name", "copy", "--include-namespaces", "shop",
                "--namespace-mapping", "shop=shop-copy");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(source.client().namespaces().withName("shop-copy").get()).isNotNull();
        assertThat(source.client().configMaps().inNamespace("shop-copy").withName("app-config").get().getData())
                .containsEntry("mode", "live");
        RoleBinding binding = source.client().rbac().roleBindings().inNamespace("shop-copy").withName("reader").get();
        assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo("shop-copy");
        assertThat(result.out()).contains("already exists");
        // The original is untouched.
        assertThat(source.client().configMaps().inNamespace("shop").withName("app-config").get().getMetadata().getLabels())
                .doesNotContainKey("kbackup.io/restore-name");
    }

    @Test
    void existingObjectsAreSkippedOrUpdatedByPolicyAndIdenticalOnesAreUnchanged() {
        assertThat(intoTarget.run("restore", "--from", "full", "--name", "first", "--include-namespaces", "shop",
                "--include-resources", "configmaps,secrets").exitCode()).isZero();
        target.client().configMaps().inNamespace("shop").withName("app-config").edit(c -> {
            c.getData().put("mode", "maintenance");
            return c;
        });

        Kbackup.Result skip = intoTarget.run("restore", "--from", "full", "--name", "skip", "--include-namespaces", "shop",
                "--include-resources", "configmaps,secrets");

        assertThat(skip.exitCode()).as(skip.toString()).isZero();
        assertThat(skip.out()).contains("Skipped").contains("configmaps shop/app-config: already exists and differs")
                .contains("Unchanged");
        assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get().getData())
                .containsEntry("mode", "maintenance");

        Kbackup.Result update = intoTarget.run("restore", "--from", "full", "--name", "update", "--include-namespaces", "shop",
                "--include-resources", "configmaps,secrets", "--existing-resource-policy", "update");

        assertThat(update.exitCode()).as(update.toString()).isZero();
        assertThat(update.out()).contains("Updated 1");
        assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get().getData())
                .containsEntry("mode", "live");
    }

    @Test
    void resourceModifiersPatchObjectsBeforeTheyAreApplied() throws Exception {
        Path modifiers = dir.resolve("modifiers.yaml");
        Files.writeString(modifiers, """
                version: v1
                resourceModifierRules:
                - conditions:
                    groupResource: deployments.apps
                    resourceNameRegex: "^web$"
                    namespaces: [shop]
                  patches:
                  - operation: replace
                    path: /spec/replicas
                    value: "5"
                - conditions:
                    groupResource: configmaps
                    labelSelector: "tier=web"
                  mergePatches:
                  - patchData: '{"metadata": {"annotations": {"restored-by": "kbackup"}}, "data": {"mode": null, "extra": "yes"}}'
                """);

        Kbackup.Result result = intoTarget.run("restore", "--from", "full", "--name", "modified", "--include-namespaces", "shop",
                "--resource-modifiers", modifiers.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(target.client().apps().deployments().inNamespace("shop").withName("web").get().getSpec().getReplicas()).isEqualTo(5);
        var config = target.client().configMaps().inNamespace("shop").withName("app-config").get();
        assertThat(config.getMetadata().getAnnotations()).containsEntry("restored-by", "kbackup");
        assertThat(config.getData()).containsEntry("extra", "yes").doesNotContainKey("mode");
    }

    @Test
    void aDryRunPlansEverythingAndWritesNothing() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "full", "--name", "preview", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(everything(target)).isEmpty();
        assertThat(result.out()).contains("(dry run)").contains("WouldCreate  configmaps shop/app-config")
                .contains("WouldCreate  customresourcedefinitions.apiextensions.k8s.io widgets.example.com")
                .contains("Skipped      pods shop/web-5d8f-abcde  (recreated by its controller ReplicaSet web-5d8f)");
    }

    @Test
    void itemLevelRestoreBySelectorAndType() {
        Kbackup.Result result = intoTarget.run("restore", "--from", "full", "--name", "item-level", "--include-resources", "configmaps",
                "--selector", "app=shop,tier=web");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(everything(target).keySet()).containsExactlyInAnyOrder("ConfigMap shop/app-config", "Namespace shop",
                "Namespace billing");
    }

    @Test
    void aDamagedChunkIsRefusedNamingTheBlobBeforeAnythingIsWritten() throws Exception {
        Kbackup.Result backup = fromSource.run("backup", "--name", "to-damage", "--include-namespaces", "shop");
        assertThat(backup.exitCode()).isZero();
        Manifest manifest = Stored.manifest(stored, "to-damage");
        String blob = manifest.chunks().get(1).blob();
        Path chunk = shared.resolve("backups").resolve(blob);
        byte[] bytes = Files.readAllBytes(chunk);
        Files.write(chunk, java.util.Arrays.copyOf(bytes, bytes.length - 7));

        Kbackup.Result result = intoTarget.run("restore", "--from", "to-damage", "--name", "damaged");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out() + result.err()).contains(blob + " has SHA-256");
        assertThat(everything(target)).isEmpty();
        assertThat(fromSource.run("describe", "to-damage").out())
                .contains(blob + " is " + (bytes.length - 7) + " bytes, the manifest records " + bytes.length);
        // Same size, other content: only a full verification sees it.
        byte[] altered = bytes.clone();
        altered[bytes.length / 2] ^= 0x55;
        Files.write(chunk, altered);
        assertThat(fromSource.run("describe", "to-damage").out()).contains("Damage: none found");
        assertThat(fromSource.run("describe", "to-damage", "--verify").out())
                .contains(blob + " has SHA-256");
    }

    @Test
    void aPartiallyFailedBackupIsRestorable() {
        source.failNext("GET", "/api/v1/secrets", 1_000, 403, null);
        // Named, so the refused list is an error of the backup, not a warning.
        Kbackup.Result backup = fromSource.run("backup", "--name", "partial", "--include-resources", "configmaps,secrets");
        source.failNext("GET", "/api/v1/secrets", 0, 403, null);
        assertThat(backup.exitCode()).isEqualTo(3);

        Kbackup.Result result = intoTarget.run("restore", "--from", "partial", "--name", "from-partial");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get()).isNotNull();
        assertThat(target.client().secrets().inNamespace("shop").withName("db-pass").get()).isNull();
    }

    @Test
    void badRestoreInputIsRefused() {
        assertThat(intoTarget.run("restore", "--from", "nothing").err()).contains("--from: restore point 'nothing' not found");
        assertThat(intoTarget.run("restore", "--from", "full", "--include-resources", "gizmos").err())
                .contains("--include-resources: unknown resource 'gizmos'");
        assertThat(intoTarget.run("restore", "--from", "full", "--namespace-mapping", "shop").err())
                .contains("--namespace-mapping: 'shop' is not SRC=DST");
        assertThat(intoTarget.run("restore", "--from", "full", "--existing-resource-policy", "replace").exitCode()).isEqualTo(2);
        assertThat(intoTarget.run("restore", "--from", "full", "--resource-modifiers", "/nonexistent.yaml").err())
                .contains("--resource-modifiers: no file '/nonexistent.yaml'");
        assertThat(everything(target)).isEmpty();
    }

    /**
     * The {@code update} policy on a real server: a merge patch that would change an immutable field is refused with
     * 422; that object ends Failed naming the field, and the restore goes on and ends PartiallyFailed.
     */
    @Test
    void anUpdateThatWouldChangeAnImmutableFieldFailsThatObjectNamingTheFieldAndGoesOn() {
        Kbackup.Result first = intoTarget.run("restore", "--from", "full", "--name", "immutable-1", "--include-namespaces", "shop",
                "--include-resources", "configmaps,persistentvolumeclaims,services", "--restore-volumes", "false");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        target.client().configMaps().inNamespace("shop").withName("app-config").edit(c -> {
            c.getData().put("mode", "maintenance");
            return c;
        });
        // Recreated by hand with another storage class: a claim's spec cannot change after creation.
        target.client().persistentVolumeClaims().inNamespace("shop").withName("data").delete();
        target.client().persistentVolumeClaims().inNamespace("shop").withName("data")
                .waitUntilCondition(java.util.Objects::isNull, 10, java.util.concurrent.TimeUnit.SECONDS);
        target.client().persistentVolumeClaims().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").withNamespace("shop").addToLabels("app", "shop").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("slow")
                .withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources()
                .endSpec().build()).create();

        Kbackup.Result update = intoTarget.run("restore", "--from", "full", "--name", "immutable-2", "--include-namespaces", "shop",
                "--include-resources", "configmaps,persistentvolumeclaims,services", "--existing-resource-policy", "update",
                "--restore-volumes", "false");

        assertThat(update.exitCode()).as(update.toString()).isEqualTo(3);
        assertThat(update.out()).contains("PartiallyFailed")
                .contains("persistentvolumeclaims shop/data").contains("spec.storageClassName: Invalid value: field is immutable");
        assertThat(target.client().configMaps().inNamespace("shop").withName("app-config").get().getData())
                .as("the rest is updated").containsEntry("mode", "live");
        assertThat(target.client().persistentVolumeClaims().inNamespace("shop").withName("data").get().getSpec().getStorageClassName())
                .isEqualTo("slow");
    }
}
