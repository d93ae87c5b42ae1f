package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Velero backup tarballs built here the way Velero's backup writes them (format 1.1.0: the preferred version twice,
 * other versions under their own folder, PAX headers for long and non-ASCII names, as Go's archive/tar writes them),
 * read back item by item; and every kind of damaged input refused, naming the archive and the entry.
 */
class VeleroArchiveTest {

    private static final String LONG_NAME = "a".repeat(63) + "." + "b".repeat(63) + ".example";

    @Test
    void eachItemOnceInItsPreferredVersionFromCoreGroupedCustomAndClusterScopedResources() {
        byte[] tarball = tarball(tar -> {
            file(tar, "metadata/version", "1.1.0\n");
            item(tar, "pods", null, "ns1", "web-0", "v1", "Pod");
            item(tar, "deployments.apps", null, "ns1", "web", "apps/v1", "Deployment");
            item(tar, "horizontalpodautoscalers.autoscaling", "v2", "ns1", "hpa", "autoscaling/v2", "HorizontalPodAutoscaler");
            file(tar, "resources/horizontalpodautoscalers.autoscaling/v1/namespaces/ns1/hpa.json",
                    object("autoscaling/v1", "HorizontalPodAutoscaler", "ns1", "hpa"));
            item(tar, "widgets.example.com", null, "ns1", "w.v1.blue", "example.com/v1", "Widget");
            item(tar, "namespaces", null, null, "ns1", "v1", "Namespace");
            item(tar, "clusterroles.rbac.authorization.k8s.io", null, null, "system:aggregate-to-view",
                    "rbac.authorization.k8s.io/v1", "ClusterRole");
            item(tar, "configmaps", null, "ns1", LONG_NAME, "v1", "ConfigMap");
            item(tar, "configmaps", null, "ns1", "grüße-配置", "v1", "ConfigMap");
        });
        List<VeleroArchive.Item> items = new ArrayList<>();

        VeleroArchive.Summary summary = VeleroArchive.read(new ByteArrayInputStream(tarball), "b1.tar.gz", items::add);

        assertThat(items).extracting(i -> i.groupResource() + " " + i.namespace() + " " + i.name()).containsExactly(
                "pods ns1 web-0",
                "deployments.apps ns1 web",
                "horizontalpodautoscalers.autoscaling ns1 hpa",
                "widgets.example.com ns1 w.v1.blue",
                "namespaces null ns1",
                "clusterroles.rbac.authorization.k8s.io null system:aggregate-to-view",
                "configmaps ns1 " + LONG_NAME,
                "configmaps ns1 grüße-配置");
        assertThat(items.get(2).object().path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(summary).isEqualTo(new VeleroArchive.Summary("1.1.0", 8, 8, 1));
    }

    @Test
    void formatOneWithoutVersionFoldersReadsToo() {
        byte[] tarball = tarball(tar -> {
            file(tar, "metadata/version", "1");
            file(tar, "resources/pods/namespaces/ns1/web-0.json", object("v1", "Pod", "ns1", "web-0"));
        });
        List<VeleroArchive.Item> items = new ArrayList<>();

        assertThat(VeleroArchive.read(new ByteArrayInputStream(tarball), "old.tar.gz", items::add))
                .isEqualTo(new VeleroArchive.Summary("1", 1, 0, 0));
        assertThat(items).hasSize(1);
    }

    static Stream<Arguments> damaged() {
        byte[] good = tarball(tar -> {
            file(tar, "metadata/version", "1.1.0");
            for (int i = 0; i < 50; i++) {
                item(tar, "configmaps", null, "ns1", "cm-" + i, "v1", "ConfigMap");
            }
        });
        return Stream.of(
                Arguments.of("truncated", Arrays.copyOf(good, good.length / 2), "truncated or damaged"),
                Arguments.of("not gzip", "resources/pods".getBytes(StandardCharsets.UTF_8), "truncated or damaged"),
                Arguments.of("unknown version", tarball(tar -> file(tar, "metadata/version", "2.0.0")),
                        "entry 'metadata/version': format version '2.0.0'"),
                Arguments.of("no version", tarball(tar -> file(tar, "resources/pods/namespaces/a/p.json",
                        object("v1", "Pod", "a", "p"))), "no metadata/version"),
                Arguments.of("malformed JSON",
                        withVersion("resources/pods/namespaces/a/p.json", "{\"apiVersion\": \"v1\", \"kind\": "),
                        "entry 'resources/pods/namespaces/a/p.json': malformed JSON"),
                Arguments.of("not the object its path names", withVersion("resources/pods/namespaces/a/p.json",
                        object("v1", "Pod", "a", "other")),
                        "entry 'resources/pods/namespaces/a/p.json': the JSON is not a Kubernetes object named 'p'"),
                Arguments.of("outside resources", withVersion("plugins/evil.json", "{}"),
                        "entry 'plugins/evil.json': not an item"),
                Arguments.of("climbing out", withVersion("resources/pods/../../../etc/cron.d/x.json", "{}"),
                        "entry 'resources/pods/../../../etc/cron.d/x.json': the path leaves the archive"),
                Arguments.of("absolute", tarball(tar -> file(tar, "/etc/passwd", "root")),
                        "entry '/etc/passwd': the path leaves the archive"),
                Arguments.of("symbolic link", tarball(tar -> {
                    file(tar, "metadata/version", "1.1.0");
                    TarArchiveEntry link = new TarArchiveEntry("resources/pods/namespaces/a/p.json", TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("/etc/shadow");
                    put(tar, link, new byte[0]);
                }), "entry 'resources/pods/namespaces/a/p.json': links"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedInputIsRefusedNamingTheArchiveAndTheEntry(String what, byte[] tarball, String message) {
        List<VeleroArchive.Item> items = new ArrayList<>();

        assertThatThrownBy(() -> VeleroArchive.read(new ByteArrayInputStream(tarball), "backups/b1/b1.tar.gz", items::add))
                .isInstanceOf(VeleroFormatException.class)
                .hasMessageStartingWith("backups/b1/b1.tar.gz: ")
                .hasMessageContaining(message);
        // The check before an import, its items' JSON checked on threads of their own, refuses it alike.
        assertThatThrownBy(() -> VeleroArchive.check(new ByteArrayInputStream(tarball), "backups/b1/b1.tar.gz", 2))
                .isInstanceOf(VeleroFormatException.class)
                .hasMessageStartingWith("backups/b1/b1.tar.gz: ")
                .hasMessageContaining(message);
    }

    @Test
    void itemsBiggerThanTheReadAheadBudgetPassOneByOne() {
        String big = "x".repeat(5 * 1024 * 1024);
        byte[] tarball = tarball(tar -> {
            file(tar, "metadata/version", "1.1.0");
            for (int i = 0; i < 4; i++) {
                file(tar, "resources/secrets/namespaces/helm/release-" + i + ".json", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                        + "\"metadata\":{\"name\":\"release-" + i + "\",\"namespace\":\"helm\"},\"data\":{\"release\":\"" + big + "\"}}");
            }
        });
        List<VeleroArchive.Item> items = new ArrayList<>();

        assertThat(VeleroArchive.read(new ByteArrayInputStream(tarball), "helm.tar.gz", items::add).items()).isEqualTo(4);
        assertThat(items).allMatch(i -> i.json().length > big.length());
        assertThat(VeleroArchive.check(new ByteArrayInputStream(tarball), "helm.tar.gz", 2).items()).isEqualTo(4);
    }

    @Test
    void theCheckNamesTheFirstDamagedItemInArchiveOrderWhateverThreadFoundIt() {
        byte[] tarball = tarball(tar -> {
            file(tar, "metadata/version", "1.1.0");
            for (int i = 0; i < 3000; i++) {
                String name = "cm-" + i;
                file(tar, "resources/configmaps/namespaces/ns1/" + name + ".json", i == 1500 || i == 2900
                        ? "{\"apiVersion\":\"v1\",\"kind\":" : object("v1", "ConfigMap", "ns1", name));
            }
        });

        assertThatThrownBy(() -> VeleroArchive.check(new ByteArrayInputStream(tarball), "b.tar.gz", 2))
                .hasMessageContaining("cm-1500.json").hasMessageContaining("malformed JSON");
        assertThat(VeleroArchive.check(new ByteArrayInputStream(tarball(tar -> {
            file(tar, "metadata/version", "1.1.0");
            item(tar, "pods", null, "ns1", "web-0", "v1", "Pod");
        })), "ok.tar.gz", 2)).isEqualTo(new VeleroArchive.Summary("1.1.0", 1, 1, 0));
    }

    /** A format 1.1.0 tarball with one more entry. */
    private static byte[] withVersion(String path, String content) {
        return tarball(tar -> {
            file(tar, "metadata/version", "1.1.0");
            file(tar, path, content);
        });
    }

    /** An item as Velero writes it: the copy without a version folder, then the one under the preferred version. */
    private static void item(TarArchiveOutputStream tar, String resource, String version, String namespace, String name,
                             String apiVersion, String kind) {
        String scope = namespace == null ? "cluster" : "namespaces/" + namespace;
        String json = object(apiVersion, kind, namespace, name);
        String preferred = version != null ? version : apiVersion.substring(apiVersion.indexOf('/') + 1);
        file(tar, "resources/" + resource + "/" + scope + "/" + name + ".json", json);
        file(tar, "resources/" + resource + "/" + preferred + "-preferredversion/" + scope + "/" + name + ".json", json);
    }

    private static String object(String apiVersion, String kind, String namespace, String name) {
        String meta = namespace == null ? "{\"name\":\"" + name + "\"}"
                : "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\"}";
        return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":" + meta + "}";
    }

    private static void file(TarArchiveOutputStream tar, String path, String content) {
        TarArchiveEntry entry = new TarArchiveEntry(path, true);
        entry.setMode(0755); // Velero writes every entry with mode 0755
        put(tar, entry, content.getBytes(StandardCharsets.UTF_8));
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry entry, byte[] content) {
        try {
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] tarball(Consumer<TarArchiveOutputStream> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes), StandardCharsets.UTF_8.name())) {
            // Go's archive/tar writes PAX headers for names that are long or not ASCII.
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            entries.accept(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
