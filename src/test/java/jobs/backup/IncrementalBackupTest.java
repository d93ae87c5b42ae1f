package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import jobs.store.BlobStore;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storage format 2 on both stores: a repeat backup stores only what changed, counted exactly on a generated cluster
 * with exact churn, and every restore point is still complete on its own.
 */
class IncrementalBackupTest {

    private static final int NAMESPACES = 8;
    private static final int PER_NAMESPACE = 50;
    private static final String SELECTION = "--include-namespaces=inc-*";

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        for (int n = 0; n < NAMESPACES; n++) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("inc-" + n).endMetadata().build());
            for (int i = 0; i < PER_NAMESPACE; i++) {
                api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("inc-" + n).endMetadata()
                        .addToData("value", "v0-" + n + "-" + i + "-" + "x".repeat(200)).build());
            }
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private record Store(Kbackup kbackup, RestorePoints stored) {
    }

    private Store store(String type) throws Exception {
        Files.createDirectories(dir.resolve(type));
        if (type.equals("azure")) {
            String container = "inc-" + UUID.randomUUID().toString().substring(0, 8);
            return new Store(Kbackup.azure(dir.resolve(type), api, container).with("--kbackup.backup.pack-objects=50"),
                    Stored.azure(container));
        }
        return new Store(Kbackup.filesystem(dir.resolve(type), api).with("--kbackup.backup.pack-objects=50"),
                Stored.filesystem(dir.resolve(type)));
    }

    private static void backup(Store store, String name) {
        Kbackup.Result result = store.kbackup().run("backup", "--name", name, SELECTION, "--snapshot-volumes", "false");
        assertThat(result.exitCode()).as(result.toString()).isZero();
    }

    /** Every blob key with its size, to see what a backup added. */
    private static Map<String, Long> blobs(RestorePoints stored) {
        return stored.store().list("").stream().collect(Collectors.toMap(BlobStore.BlobEntry::key, BlobStore.BlobEntry::size));
    }

    private void change(int namespace, int index, String value) {
        api.client().configMaps().inNamespace("inc-" + namespace).withName("cm-" + index).edit(c -> {
            c.getData().put("value", value);
            return c;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "azure"})
    void aRepeatBackupStoresOnlyTheChangedObjectsAndEveryRestorePointIsComplete(String type) throws Exception {
        Store store = store(type);
        int objects = NAMESPACES * PER_NAMESPACE + NAMESPACES;
        backup(store, "day-1");
        Manifest first = Stored.manifest(store.stored(), "day-1");
        assertThat(first.storage().newObjects()).isEqualTo(objects);
        Map<String, Long> afterFirst = blobs(store.stored());

        // Unchanged: no pack at all, only the manifest (and the base pointer).
        backup(store, "day-2");
        Map<String, Long> afterSecond = blobs(store.stored());
        Set<String> added = new TreeSet<>(afterSecond.keySet());
        added.removeAll(afterFirst.keySet());
        assertThat(added).containsExactly("backups/day-2/manifest.json");
        Manifest second = Stored.manifest(store.stored(), "day-2");
        assertThat(second.storage().newObjects()).isZero();
        assertThat(second.storage().newPacks()).isZero();
        assertThat(second.itemCount()).isEqualTo(objects);
        assertThat(second.storage().logicalBytes()).isEqualTo(first.storage().logicalBytes());

        // 1 % churn, one object in each of four namespaces: exactly those four are stored, in one new pack.
        for (int n = 0; n < 4; n++) {
            change(n * 2, n * 7, "changed-" + n);
        }
        backup(store, "day-3");
        Manifest third = Stored.manifest(store.stored(), "day-3");
        assertThat(third.storage().newObjects()).isEqualTo(4);
        assertThat(third.storage().newPacks()).isEqualTo(1);
        added = new TreeSet<>(blobs(store.stored()).keySet());
        added.removeAll(afterSecond.keySet());
        assertThat(added).hasSize(3).contains("backups/day-3/manifest.json");
        long firstBytes = first.storage().newBytes();
        assertThat(third.storage().newBytes()).as("new bytes against the first backup's").isLessThan(firstBytes / 20);

        // Each restore point holds its own versions, each object once.
        Map<String, JsonNode> old = byKey(Stored.objects(store.stored(), "day-1"));
        Map<String, JsonNode> now = byKey(Stored.objects(store.stored(), "day-3"));
        assertThat(now.keySet()).isEqualTo(old.keySet()).hasSize(objects);
        assertThat(Stored.keys(store.stored(), "day-3")).doesNotHaveDuplicates();
        assertThat(now.get("ConfigMap inc-2/cm-7").path("data").path("value").asText()).isEqualTo("changed-1");
        assertThat(old.get("ConfigMap inc-2/cm-7").path("data").path("value").asText()).startsWith("v0-2-7-");
        long differing = now.keySet().stream().filter(k -> !now.get(k).equals(old.get(k))).count();
        assertThat(differing).isEqualTo(4);
        assertThat(store.stored().damage(third, true)).isEmpty();
        assertThat(store.kbackup().run("describe", "day-3").out()).contains("New:         4 objects");

        // report: bytes stored per day, from storage; per restore point, the changes since the previous one.
        JsonNode report = jobs.support.Json.mapper().readTree(store.kbackup().run("report", "-o", "json").out()).path("storage");
        assertThat(report.path("perDay")).singleElement().satisfies(day -> {
            assertThat(day.path("restorePoints").asInt()).isEqualTo(3);
            assertThat(day.path("newBytes").asLong()).isEqualTo(firstBytes + third.storage().newBytes());
        });
        assertThat(report.path("points")).extracting(p -> p.path("changes").isMissingNode() || p.path("changes").isNull() ? "first" : p.path("changes").asText())
                .containsExactly("first", "0", "4");
        assertThat(store.kbackup().run("report").out()).contains("STORED PER DAY");
        assertThat(store.kbackup().run("report", "-o", "html").out()).contains("Changes since the previous restore point",
                "day-3: 4 changes");
    }

    private static Map<String, JsonNode> byKey(List<JsonNode> objects) {
        return objects.stream().collect(Collectors.toMap(Stored::key, o -> o));
    }

    /**
     * diff compares addresses first: a pack line both restore points hold is the same content, so it is not read at
     * all. Shown by damaging a pack both hold whole: the diff still answers, while describe --verify sees the damage.
     */
    @Test
    void diffDoesNotReadWhatBothRestorePointsShare() throws Exception {
        Store store = store("filesystem");
        backup(store, "before");
        change(3, 5, "changed");
        backup(store, "after");
        Manifest before = Stored.manifest(store.stored(), "before");
        Manifest after = Stored.manifest(store.stored(), "after");
        Manifest.ChunkRef shared = after.chunks().stream()
                .filter(c -> before.chunks().stream().anyMatch(b -> b.blob().equals(c.blob()) && b.lines().equals(c.lines())))
                .findFirst().orElseThrow();
        store.stored().store().put(shared.blob(), "not a pack".getBytes(), Map.of());

        Kbackup.Result diff = store.kbackup().run("diff", "before", "after");

        assertThat(diff.exitCode()).as(diff.toString()).isZero();
        assertThat(diff.out()).contains("~ configmaps inc-3/cm-5: replace /data/value");
        assertThat(store.kbackup().run("describe", "after", "--verify").out()).contains(shared.blob());
    }

    /**
     * A restore point of storage format 1 (chunks in its own folder), as 0.x wrote it, still lists, describes and
     * restores; the next backup stores everything anew in packs, since it has no pack indexes to refer to.
     */
    @Test
    void aFormatOneRestorePointStillRestores() throws Exception {
        Store store = store("filesystem");
        RestorePoints stored = store.stored();
        List<Map<String, Object>> objects = List.of(
                Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", Map.of("name", "legacy")),
                Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "old-config", "namespace", "legacy"),
                        "data", Map.of("k", "v")));
        byte[] chunk = ChunkCodec.encode(objects);
        stored.store().put(RestorePoints.folder("v1") + RestorePoints.chunkBlob(0), chunk, Map.of());
        Manifest.ChunkRef ref = new Manifest.ChunkRef(RestorePoints.chunkBlob(0), ChunkCodec.sha256(chunk), 2, chunk.length,
                Map.of("namespaces", 1L, "configmaps", 1L), null, null);
        java.time.Instant started = java.time.Instant.now().minusSeconds(60);
        stored.create(new Manifest(1, "v1", jobs.store.Phase.Completed, started, started.plusSeconds(1),
                started.plus(java.time.Duration.ofDays(30)), "https://old", jobs.filter.Selection.everything(), 2,
                List.of(new Manifest.ResourceCount("", "v1", "namespaces", "Namespace", false, 1),
                        new Manifest.ResourceCount("", "v1", "configmaps", "ConfigMap", true, 1)),
                List.of(ref), null, null, null, null, null, null));

        assertThat(store.kbackup().run("describe", "v1", "--verify").out()).contains("Damage: none found");
        Kbackup.Result restore = store.kbackup().run("restore", "--from", "v1", "--name", "from-v1");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(api.client().configMaps().inNamespace("legacy").withName("old-config").get().getData()).containsEntry("k", "v");
        assertThat(stored.packs().stored()).isEmpty();
    }
}
