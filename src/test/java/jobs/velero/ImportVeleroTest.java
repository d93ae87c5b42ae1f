package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import jobs.testing.VeleroFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Velero backups, built as Velero writes them from what an API server double serves, imported into restore points:
 * every item once, exactly as Velero stored it; restorable as Velero's items are; dated and named after their origin.
 */
class ImportVeleroTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Velero backs up of the fixture's shop namespace, kind by kind (pods and replica sets left to controllers). */
    private static final List<String[]> KINDS = List.of(
            new String[] {"apiextensions.k8s.io/v1", "CustomResourceDefinition", null},
            new String[] {"v1", "Namespace", null},
            new String[] {"v1", "ConfigMap", "shop"},
            new String[] {"v1", "Secret", "shop"},
            new String[] {"v1", "ServiceAccount", "shop"},
            new String[] {"v1", "Service", "shop"},
            new String[] {"apps/v1", "Deployment", "shop"},
            new String[] {"rbac.authorization.k8s.io/v1", "Role", "shop"},
            new String[] {"rbac.authorization.k8s.io/v1", "RoleBinding", "shop"},
            new String[] {"example.com/v1", "Widget", "shop"});

    @TempDir
    Path dir;
    ApiServer source;

    @BeforeEach
    void start() {
        source = ApiServer.start();
        ClusterFixture.populate(source);
    }

    @AfterEach
    void stop() {
        source.close();
    }

    /** Every object of {@link #KINDS} as the source server serves it, skipping objects being deleted. */
    private List<JsonNode> served() {
        List<JsonNode> objects = new ArrayList<>();
        for (String[] kind : KINDS) {
            var list = kind[2] == null ? source.client().genericKubernetesResources(kind[0], kind[1]).list()
                    : source.client().genericKubernetesResources(kind[0], kind[1]).inNamespace(kind[2]).list();
            for (GenericKubernetesResource o : list.getItems()) {
                if (o.getMetadata().getDeletionTimestamp() != null
                        || kind[1].equals("Namespace") && !o.getMetadata().getName().equals("shop")
                        || kind[1].equals("CustomResourceDefinition") && !o.getMetadata().getName().equals("widgets.example.com")) {
                    continue;
                }
                ObjectNode json = JSON.valueToTree(o);
                json.put("apiVersion", kind[0]).put("kind", kind[1]);
                objects.add(reparsed(json));
            }
        }
        return objects;
    }

    /** As parsed from JSON text, so numbers compare by value. */
    private static JsonNode reparsed(JsonNode node) {
        try {
            return JSON.readTree(JSON.writeValueAsString(node));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private VeleroFixture shopBackup(String name) {
        VeleroFixture backup = VeleroFixture.backup(name);
        served().forEach(backup::item);
        ObjectNode spec = JSON.createObjectNode();
        spec.putArray("includedNamespaces").add("shop");
        spec.putObject("labelSelector").putObject("matchLabels").put("app", "shop");
        return backup.spec(spec);
    }

    private Kbackup kbackup() {
        return Kbackup.filesystem(dir, source);
    }

    @Test
    void theRestorePointHoldsEveryPreferredItemOnceExactlyAsVeleroStoredItAndNamesItsOrigin() throws Exception {
        VeleroFixture fixture = shopBackup("nightly-20261130");
        // A copy in another version, as the API group versions feature writes it, is left out.
        JsonNode deployment = served().stream().filter(o -> o.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        fixture.otherVersion(((ObjectNode) deployment.deepCopy()).put("apiVersion", "apps/v1beta2"), "deployments");
        fixture.writeTo(Stored.folder(dir.resolve("backups/velero")));

        Kbackup.Result result = kbackup().run("import-velero", "--velero-prefix", "velero", "--name", "nightly-20261130");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        RestorePoints stored = Stored.filesystem(dir);
        Map<String, JsonNode> expected = served().stream().collect(Collectors.toMap(Stored::key, Function.identity()));
        Map<String, JsonNode> actual = Stored.objects(stored, "nightly-20261130").stream()
                .collect(Collectors.toMap(Stored::key, Function.identity()));
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, object) -> assertThat(actual.get(key)).as(key).isEqualTo(object));
        assertThat(actual.get(Stored.key(deployment)).path("apiVersion").asText()).isEqualTo("apps/v1");

        Manifest manifest = Stored.manifest(stored, "nightly-20261130");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.itemCount()).isEqualTo(expected.size());
        assertThat(manifest.origin()).isEqualTo(new Manifest.Origin("velero", "nightly-20261130",
                "folder " + dir.resolve("backups/velero") + " backups/nightly-20261130/", "1.1.0", "Completed",
                fixture.started(), fixture.completed()));
        assertThat(manifest.startedAt()).isEqualTo(fixture.started());
        assertThat(manifest.completedAt()).isEqualTo(fixture.completed());
        assertThat(manifest.expiresAt()).as("Velero's own expiry").isEqualTo(fixture.expiration());
        assertThat(manifest.selection().includeNamespaces()).containsExactly("shop");
        assertThat(manifest.selection().selector()).isEqualTo("app=shop");
        assertThat(manifest.resources()).extracting(Manifest.ResourceCount::qualifiedName)
                .contains("deployments.apps", "widgets.example.com", "customresourcedefinitions.apiextensions.k8s.io", "namespaces");
        assertThat(manifest.warnings()).extracting(Manifest.Warning::message).anyMatch(m -> m.startsWith("1 copies in other API versions"));

        Kbackup.Result described = kbackup().run("describe", "nightly-20261130");
        assertThat(described.out()).contains("velero", "nightly-20261130");
    }

    @Test
    void restoringTheImportGivesWhatRestoringVelerosItemsDirectlyGives() throws Exception {
        shopBackup("nightly").writeTo(Stored.folder(dir.resolve("backups/velero")));
        assertThat(kbackup().run("import-velero", "--velero-prefix", "velero", "--name", "nightly").exitCode()).isZero();

        try (ApiServer viaImport = ApiServer.start(); ApiServer direct = ApiServer.start()) {
            Kbackup intoTarget = kbackup().with("--kbackup.kube.kubeconfig=" + viaImport.writeKubeconfig(Files.createDirectories(dir.resolve("a"))));
            Kbackup.Result restored = intoTarget.run("restore", "--from", "nightly", "--name", "from-velero");
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            applyAsVeleroRestores(direct, served());

            for (JsonNode item : served()) {
                String key = Stored.key(item);
                assertThat(cleaned(fetch(viaImport, item))).as(key).isEqualTo(cleaned(fetch(direct, item)));
            }
        }
    }

    /**
     * Velero's restore, reduced to what it does to these kinds: server-set metadata and status dropped, a Service's
     * cluster IPs left to the server, CRDs first, then namespaces, then the rest.
     */
    private static void applyAsVeleroRestores(ApiServer target, List<JsonNode> items) {
        List<JsonNode> ordered = new ArrayList<>(items);
        ordered.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (JsonNode item : ordered) {
            ObjectNode copy = item.deepCopy();
            ObjectNode meta = (ObjectNode) copy.path("metadata");
            meta.remove(List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"));
            copy.remove("status");
            if (copy.path("spec") instanceof ObjectNode spec && copy.path("kind").asText().equals("Service")) {
                spec.remove(List.of("clusterIP", "clusterIPs"));
            }
            GenericKubernetesResource resource = JSON.convertValue(copy, GenericKubernetesResource.class);
            var op = target.client().genericKubernetesResources(copy.path("apiVersion").asText(), copy.path("kind").asText());
            if (resource.getMetadata().getNamespace() == null) {
                op.resource(resource).create();
            } else {
                op.inNamespace(resource.getMetadata().getNamespace()).resource(resource).create();
            }
        }
    }

    private static int rank(JsonNode item) {
        return switch (item.path("kind").asText()) {
            case "CustomResourceDefinition" -> 0;
            case "Namespace" -> 1;
            default -> 2;
        };
    }

    private static JsonNode fetch(ApiServer server, JsonNode item) {
        String namespace = item.path("metadata").path("namespace").asText(null);
        var op = server.client().genericKubernetesResources(item.path("apiVersion").asText(), item.path("kind").asText());
        HasMetadata found = namespace == null ? op.withName(item.path("metadata").path("name").asText()).get()
                : op.inNamespace(namespace).withName(item.path("metadata").path("name").asText()).get();
        assertThat(found).as("restored: " + Stored.key(item)).isNotNull();
        return JSON.valueToTree(found);
    }

    /** What the server sets on every create, and what a restore marks, left out of the comparison. */
    private static JsonNode cleaned(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        ObjectNode meta = (ObjectNode) copy.path("metadata");
        meta.remove(List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"));
        for (String field : List.of("labels", "annotations")) {
            if (meta.path(field) instanceof ObjectNode map) {
                map.properties().removeIf(e -> e.getKey().startsWith("kbackup.io/") || e.getKey().startsWith("velero.io/"));
                if (map.isEmpty()) {
                    meta.remove(field);
                }
            }
        }
        copy.remove("status");
        if (copy.path("spec") instanceof ObjectNode spec && copy.path("kind").asText().equals("Service")) {
            spec.remove(List.of("clusterIP", "clusterIPs"));
        }
        return copy;
    }
}
