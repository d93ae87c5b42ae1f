package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import jobs.testing.VeleroFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where a Velero backup can be read from, what an import refuses (exit 2, naming the file, writing nothing), a
 * location imported whole and again, and the dry run.
 */
class ImportVeleroSourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void start() {
        api = ApiServer.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static ObjectNode configMap(String namespace, String name, String value) {
        ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", name).put("namespace", namespace).put("uid", UUID.nameUUIDFromBytes(name.getBytes()).toString())
                .put("resourceVersion", "17");
        cm.putObject("data").put("value", value);
        return cm;
    }

    static ObjectNode namespace(String name) {
        ObjectNode ns = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ns.putObject("metadata").put("name", name);
        return ns;
    }

    /** A small backup: a namespace, a few config maps, one with a dotted name, one with a unicode name. */
    static VeleroFixture small(String name) {
        return VeleroFixture.backup(name).item(namespace("shop"))
                .item(configMap("shop", "app-config", "live"))
                .item(configMap("shop", "app.v2.settings", "dotted"))
                .item(configMap("shop", "grüße", "unicode"));
    }

    private Kbackup kbackup() {
        return Kbackup.filesystem(dir, api);
    }

    private void assertImported(RestorePoints stored, String name) {
        Manifest manifest = Stored.manifest(stored, name);
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(stored, name)).containsExactlyInAnyOrder("Namespace shop", "ConfigMap shop/app-config",
                "ConfigMap shop/app.v2.settings", "ConfigMap shop/grüße");
    }

    @Test
    void aDownloadedTarballAloneImportsNamedAfterItsFile() throws Exception {
        Path tarball = Files.write(Files.createDirectories(dir.resolve("downloads")).resolve("nightly.tar.gz"), small("nightly").tarball());

        Kbackup.Result result = kbackup().run("import-velero", "--from-file", tarball.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertImported(Stored.filesystem(dir), "nightly");
        assertThat(Stored.manifest(Stored.filesystem(dir), "nightly").origin().phase()).as("no velero-backup.json").isNull();
    }

    @Test
    void aBackupsOwnFolderImportsUnderTheNameItsBackupObjectGives() throws Exception {
        Path location = dir.resolve("velero-bucket");
        small("weekly").writeTo(Stored.folder(location));

        Kbackup.Result result = kbackup().run("import-velero", "--from-file", location.resolve("backups/weekly").toString(),
                "--restore-point", "weekly-imported");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertImported(Stored.filesystem(dir), "weekly-imported");
        assertThat(Stored.manifest(Stored.filesystem(dir), "weekly-imported").origin().backup()).isEqualTo("weekly");
    }

    @Test
    void aVeleroLocationInTheSameAzureContainerImportsByPrefix() {
        String container = "velero-" + UUID.randomUUID().toString().substring(0, 8);
        small("nightly").writeTo(Stored.azureBlobs(container, "aks/velero"));
        Kbackup azure = Kbackup.azure(dir, api, container).with("--kbackup.storage.prefix=kbackup");

        Kbackup.Result result = azure.run("import-velero", "--velero-prefix", "aks/velero", "--name", "nightly");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        RestorePoints stored = new RestorePoints(Stored.azureBlobs(container, "kbackup"));
        assertImported(stored, "nightly");
        Kbackup.Result listed = azure.run("list");
        assertThat(listed.out()).contains("nightly");
    }

    static Stream<Arguments> damaged() {
        return Stream.of(
                Arguments.of("truncated", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b, b.length / 2),
                        small("b"), "cannot be read as a gzip tar archive"),
                Arguments.of("another format version", (UnaryOperator<byte[]>) b -> b,
                        small("b").entry("metadata/version", "2.0.0"), "format version '2.0.0'"),
                Arguments.of("malformed JSON", (UnaryOperator<byte[]>) b -> b,
                        small("b").entry("resources/configmaps/namespaces/shop/broken.json", "{\"apiVersion\":"), "malformed JSON"),
                Arguments.of("a path outside resources/", (UnaryOperator<byte[]>) b -> b,
                        small("b").entry("etc/passwd", "root:x:0:0"), "not an item of Velero's resources/ layout"),
                Arguments.of("a path climbing out", (UnaryOperator<byte[]>) b -> b,
                        small("b").entry("resources/../../evil.json", "{}"), "the path leaves the archive"),
                Arguments.of("a Failed backup", (UnaryOperator<byte[]>) b -> b,
                        small("b").phase("Failed"), "the Velero backup is Failed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedInputIsRefusedNamingTheFileAndNothingIsWritten(String what, UnaryOperator<byte[]> damage,
                                                                 VeleroFixture fixture, String reason) throws Exception {
        Path location = dir.resolve("velero-bucket");
        fixture.writeTo(Stored.folder(location));
        Path tarball = location.resolve("backups/b/b.tar.gz");
        Files.write(tarball, damage.apply(Files.readAllBytes(tarball)));

        Kbackup.Result result = kbackup().run("import-velero", "--from-file", location.toString(), "--name", "b");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains(reason).contains("backups/b/");
        RestorePoints stored = Stored.filesystem(dir);
        assertThat(stored.list()).isEmpty();
        assertThat(Stored.packs(stored)).isZero();
    }

    @Test
    void aWholeLocationImportsInOneCommandAndAgainImportsNothingTwice() throws Exception {
        Path location = dir.resolve("velero-bucket");
        small("daily-1").writeTo(Stored.folder(location));
        // The next day one config map changed: the second import stores that object only, and refers to the rest.
        small("daily-2").item(configMap("shop", "added", "new")).writeTo(Stored.folder(location));
        small("daily-3").phase("InProgress").writeTo(Stored.folder(location));

        Kbackup.Result first = kbackup().run("import-velero", "--from-file", location.toString(), "--all");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("Skipped daily-3: ").contains("InProgress").contains("Imported 2 of 3");
        RestorePoints stored = Stored.filesystem(dir);
        assertImported(stored, "daily-1");
        assertThat(Stored.manifest(stored, "daily-2").storage().newObjects()).as("only the added object is new").isEqualTo(1);
        assertThat(Stored.manifest(stored, "daily-2").itemCount()).isEqualTo(5);

        // Imports are restore points like any other: they diff, and purge when they expire.
        Kbackup.Result diff = kbackup().run("diff", "daily-1", "daily-2");
        assertThat(diff.exitCode()).as(diff.toString()).isZero();
        assertThat(diff.out()).contains("+ configmaps shop/added");
        Instant longAgo = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(60, ChronoUnit.DAYS);
        VeleroFixture old = small("old").times(longAgo, longAgo.plusSeconds(60), longAgo.plus(30, ChronoUnit.DAYS)).writeTo(Stored.folder(location));
        Kbackup.Result expiredDryRun = kbackup().run("import-velero", "--from-file", location.toString(), "--name", "old", "--dry-run");
        assertThat(expiredDryRun.exitCode()).as("the dry run refuses what the import would").isEqualTo(2);
        Kbackup.Result expired = kbackup().run("import-velero", "--from-file", location.toString(), "--name", "old");
        assertThat(expired.exitCode()).as("the next purge would delete it").isEqualTo(2);
        assertThat(expired.err()).contains("Velero backup old expired at " + old.expiration()).contains("--ttl");
        assertThat(kbackup().run("import-velero", "--from-file", location.toString(), "--name", "old", "--ttl", "360d").exitCode()).isZero();
        Kbackup.Result purged = kbackup().run("purge", "--retention", "30d");
        assertThat(purged.exitCode()).as(purged.toString()).isZero();
        assertThat(stored.list()).extracting(Manifest::name).containsExactlyInAnyOrder("daily-1", "daily-2");
        Files.walk(location).filter(p -> p.toString().endsWith("backups/old/old.tar.gz")).findFirst()
                .orElseThrow(() -> new AssertionError("the purge deleted Velero's own files"));

        Kbackup.Result again = kbackup().run("import-velero", "--from-file", location.toString(), "--all");

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("Skipped daily-1: Velero backup daily-1 is imported already")
                .contains("Skipped daily-2: Velero backup daily-2 is imported already")
                .contains("Skipped old: Velero backup old expired at " + old.expiration()).contains("Imported 0 of 4");
        assertThat(stored.list()).hasSize(2);
    }

    @Test
    void theDryRunTellsWhatWouldBeImportedAndWritesNothing() throws Exception {
        Path location = dir.resolve("velero-bucket");
        small("nightly").writeTo(Stored.folder(location));

        Kbackup.Result result = kbackup().run("import-velero", "--from-file", location.toString(), "--name", "nightly", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Would import Velero backup nightly (Completed)").contains("4 items, 4 second copies")
                .containsPattern("configmaps +3").containsPattern("namespaces +1");
        assertThat(Files.exists(dir.resolve("backups"))).isFalse();
    }

    @Test
    void badCommandLinesAreRefusedBeforeAnythingStarts() {
        for (List<String> args : List.of(
                List.of("import-velero"),
                List.of("import-velero", "--from-file", "x", "--velero-prefix", "v"),
                List.of("import-velero", "--velero-prefix", "v"),
                List.of("import-velero", "--velero-prefix", "../up", "--name", "n"),
                List.of("import-velero", "--from-file", "x", "--all", "--name", "n"),
                List.of("import-velero", "--from-file", dir.resolve("nothing-here").toString()))) {
            Kbackup.Result result = kbackup().run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(args + ": " + result).isEqualTo(2);
        }
    }
}
