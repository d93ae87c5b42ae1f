package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.util.List;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup job against the API server double: paging, failures the API server answers with, and resuming. */
class BackupJobTest {

    static final int CONFIG_MAPS = 1_234;
    static final int PAGE = 50;

    @TempDir
    Path dir;
    ApiServer api;
    Kbackup kbackup;
    RestorePoints stored;

    @BeforeEach
    void cluster() {
        api = ApiServer.start();
        for (String ns : List.of("a", "b", "c")) {
            api.create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        }
        for (int i = 0; i < CONFIG_MAPS; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%04d", i))
                    .withNamespace(List.of("a", "b", "c").get(i % 3)).endMetadata().addToData("n", Integer.toString(i)).build());
        }
        kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=" + PAGE, "--kbackup.backup.pack-objects=100");
        stored = Stored.filesystem(dir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /**
     * List calls for {@code objects} objects of one type listed from a page start: a probe of
     * {@link ResourceReader#FIRST_PAGE} objects (their size is not known yet), then pages of {@link #PAGE}.
     */
    static int listCalls(int objects) {
        return 1 + (objects - ResourceReader.FIRST_PAGE + PAGE - 1) / PAGE;
    }

    private void assertEachObjectOnce(String name) {
        List<String> keys = Stored.keys(stored, name);
        assertThat(keys).doesNotHaveDuplicates().hasSize(CONFIG_MAPS + 3);
        assertThat(keys).filteredOn(k -> k.startsWith("ConfigMap ")).hasSize(CONFIG_MAPS);
        Manifest manifest = Stored.manifest(stored, name);
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.itemCount()).isEqualTo(CONFIG_MAPS + 3);
        assertThat(manifest.resources()).extracting(Manifest.ResourceCount::qualifiedName, Manifest.ResourceCount::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("configmaps", (long) CONFIG_MAPS),
                        org.assertj.core.groups.Tuple.tuple("namespaces", 3L));
    }

    @Test
    void readsPageByPageAndStoresEveryObjectWholeOnce() throws Exception {
        Kbackup.Result result = kbackup.run("backup", "--name", "paged");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertEachObjectOnce("paged");
        assertThat(api.listCalls("/configmaps")).isEqualTo(listCalls(CONFIG_MAPS));
        Manifest manifest = Stored.manifest(stored, "paged");
        assertThat(manifest.chunks()).hasSize((CONFIG_MAPS + 3 + 99) / 100);
        // Stored whole, as the API server has it, with the apiVersion and kind a list leaves off.
        ConfigMap live = api.client().configMaps().inNamespace("b").withName("cm-0001").get();
        JsonNode storedObject = Stored.objects(stored, "paged").stream()
                .filter(o -> Stored.key(o).equals("ConfigMap b/cm-0001")).findFirst().orElseThrow();
        ObjectMapper json = new ObjectMapper();
        assertThat(storedObject).isEqualTo(json.readTree(json.writeValueAsString(live)));
        assertThat(storedObject.path("metadata").path("uid").asText()).isNotEmpty();
    }

    @Test
    void theCompressionLevelTradesChunkSizeForSpeedAndReadsBackTheSame() throws Exception {
        assertThat(kbackup.run("backup", "--name", "fast").exitCode()).isZero();
        // Into a store of its own: in the same one, nothing would be stored again.
        java.nio.file.Files.createDirectories(dir.resolve("other"));
        Kbackup other = Kbackup.filesystem(dir.resolve("other"), api).with("--kbackup.kube.page-size=" + PAGE,
                "--kbackup.backup.pack-objects=100", "--kbackup.backup.compression-level=9");
        assertThat(other.run("backup", "--name", "small").exitCode()).isZero();

        RestorePoints otherStore = Stored.filesystem(dir.resolve("other"));
        long fast = Stored.manifest(stored, "fast").chunks().stream().mapToLong(Manifest.ChunkRef::bytes).sum();
        long small = Stored.manifest(otherStore, "small").chunks().stream().mapToLong(Manifest.ChunkRef::bytes).sum();
        assertThat(small).isLessThan(fast);
        assertThat(Stored.objects(otherStore, "small")).isEqualTo(Stored.objects(stored, "fast"));
    }

    @Test
    void expiredContinueTokensAreContinuedWithTheTokenTheServerOffers() {
        api.expireNextContinues(3);

        Kbackup.Result result = kbackup.run("backup", "--name", "expired");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertEachObjectOnce("expired");
        // One extra call per expiry: the 410 itself; the list goes on where it was with the server's new token.
        assertThat(api.listCalls("/configmaps")).isEqualTo(listCalls(CONFIG_MAPS) + 3);
    }

    @Test
    void expiredContinueTokensWithoutAnOfferAreRecoveredByListingAgain() {
        api.offerTokenOnExpiry(false);
        api.expireNextContinues(3);

        Kbackup.Result result = kbackup.run("backup", "--name", "expired");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertEachObjectOnce("expired");
        assertThat(api.listCalls("/configmaps")).isGreaterThan((CONFIG_MAPS + PAGE - 1) / PAGE + 3);
    }

    @Test
    void tokensThatAlwaysExpireFailClearlyInsteadOfLooping() {
        api.continueTtl(java.time.Duration.ZERO);

        Kbackup.Result result = kbackup.run("backup", "--name", "hopeless");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(Stored.manifest(stored, "hopeless").phase()).isEqualTo(Phase.Failed);
        assertThat(Stored.manifest(stored, "hopeless").errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("continue tokens expired"));
    }

    @Test
    void throttlingAndServerErrorsAreRetried() {
        api.failNext("GET", "/configmaps", 2, 429, 1);
        api.failNext("GET", "continue=", 2, 500, null);
        api.failNext("GET", "/namespaces", 1, 503, null);

        Kbackup.Result result = kbackup.run("backup", "--name", "throttled");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertEachObjectOnce("throttled");
    }

    @Test
    void aTypeTheAccountMayNotListIsSkippedWithAWarning() {
        api.failNext("GET", "/api/v1/configmaps", 1_000, 403, null);

        Kbackup.Result result = kbackup.run("backup", "--name", "forbidden");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Manifest manifest = Stored.manifest(stored, "forbidden");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.errors()).isEmpty();
        assertThat(manifest.warnings()).singleElement().satisfies(w -> {
            assertThat(w.resource()).isEqualTo("configmaps");
            assertThat(w.message()).contains("403");
        });
        assertThat(Stored.keys(stored, "forbidden")).containsExactlyInAnyOrder("Namespace a", "Namespace b", "Namespace c");
        assertThat(kbackup.run("describe", "forbidden").out()).contains("Warnings:\n  configmaps: list configmaps failed (HTTP 403)");
    }

    @Test
    void aNamedTypeTheAccountMayNotListMakesTheBackupPartiallyFailed() {
        api.failNext("GET", "/api/v1/configmaps", 1_000, 403, null);

        Kbackup.Result result = kbackup.run("backup", "--name", "forbidden", "--include-resources", "configmaps");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.out()).contains("PartiallyFailed").contains("configmaps");
        Manifest manifest = Stored.manifest(stored, "forbidden");
        assertThat(manifest.phase()).isEqualTo(Phase.PartiallyFailed);
        assertThat(manifest.errors()).singleElement().satisfies(e -> {
            assertThat(e.resource()).isEqualTo("configmaps");
            assertThat(e.message()).contains("403");
        });
        assertThat(kbackup.run("describe", "forbidden").out()).contains("PartiallyFailed").contains("configmaps: list configmaps failed (HTTP 403)");
    }

    @Test
    void aFailedBackupResumesFromItsLastCommittedChunk() {
        Kbackup noRetries = kbackup.with("--kbackup.kube.request-retries=0", "--kbackup.backup.pack-objects=" + PAGE);
        // The fourth page of config maps fails: three chunks are committed by then.
        api.failLater("GET", "/configmaps?", 3, 1, 500, null);

        Kbackup.Result failed = noRetries.run("backup", "--name", "resumed");

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        Manifest afterFailure = Stored.manifest(stored, "resumed");
        assertThat(afterFailure.phase()).isEqualTo(Phase.Failed);
        assertThat(afterFailure.errors()).isNotEmpty();
        assertThat(kbackup.run("list").out()).contains("resumed").contains("Failed");
        int callsBefore = api.listCalls("/configmaps");

        Kbackup.Result resumed = noRetries.run("backup", "--name", "resumed");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertEachObjectOnce("resumed");
        // The failed run listed 16 + 50 + 50 objects and stored two chunks of 50. Resumed at the page holding the
        // 101st object (it starts at the 67th): one call per remaining page from there, none for the pages before.
        int pageStart = ResourceReader.FIRST_PAGE + PAGE;
        assertThat(api.listCalls("/configmaps") - callsBefore).isEqualTo(listCalls(CONFIG_MAPS - pageStart));
    }

    @Test
    void aCompletedRestorePointIsNotOverwritten() {
        assertThat(kbackup.run("backup", "--name", "once").exitCode()).isZero();
        Manifest first = Stored.manifest(stored, "once");

        Kbackup.Result again = kbackup.run("backup", "--name", "once");

        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("restore point 'once' already exists and is Completed");
        assertThat(Stored.manifest(stored, "once")).isEqualTo(first);
    }

    @Test
    void listAndDescribeShowRestorePointsNewestFirst() throws Exception {
        assertThat(kbackup.run("backup", "--name", "older", "--include-namespaces", "a").exitCode()).isZero();
        assertThat(kbackup.run("backup", "--name", "newer", "--include-namespaces", "b", "--ttl", "72h").exitCode()).isZero();

        JsonNode list = new ObjectMapper().readTree(kbackup.run("list", "--output", "json").out());
        assertThat(list).extracting(n -> n.path("name").asText()).containsExactly("newer", "older");
        JsonNode newer = list.get(0);
        assertThat(newer.path("phase").asText()).isEqualTo("Completed");
        assertThat(newer.path("itemCount").asLong()).isEqualTo(CONFIG_MAPS / 3 + 1);
        assertThat(newer.path("resources").path("configmaps").asLong()).isEqualTo(CONFIG_MAPS / 3);
        assertThat(java.time.Duration.between(java.time.Instant.parse(newer.path("startedAt").asText()),
                java.time.Instant.parse(newer.path("expiresAt").asText()))).isEqualTo(java.time.Duration.ofHours(72));
        for (String field : List.of("completedAt", "volumes", "errors")) {
            assertThat(newer.has(field)).as(field).isTrue();
        }
        JsonNode describe = new ObjectMapper().readTree(kbackup.run("describe", "older", "-o", "json").out());
        assertThat(describe.path("selection").path("includeNamespaces").get(0).asText()).isEqualTo("a");
        assertThat(describe.path("chunks")).isNotEmpty();
        String table = kbackup.run("list").out();
        assertThat(table.indexOf("newer")).isLessThan(table.indexOf("older"));
        assertThat(kbackup.run("describe", "missing").exitCode()).isEqualTo(2);
    }
}
