package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The filter matrix: each set of backup flags against the fixture cluster, and exactly what the backup holds. */
class BackupFilterTest {

    static final List<String> SHOP = List.of("ConfigMap shop/app-config", "Secret shop/db-pass", "Deployment shop/web",
            "Service shop/web", "ServiceAccount shop/shop-sa", "Role shop/reader", "RoleBinding shop/reader",
            "PersistentVolumeClaim shop/data", "Widget shop/blue", "ReplicaSet shop/web-5d8f", "Pod shop/web-5d8f-abcde",
            "Job shop/migrate");
    static final List<String> BILLING = List.of("ConfigMap billing/billing-config", "PersistentVolumeClaim billing/invoices");
    static final List<String> CLUSTER = List.of("CustomResourceDefinition widgets.example.com",
            "CustomResourceDefinition gadgets.example.com", "PersistentVolume pv-data", "PersistentVolume pv-invoices",
            "PersistentVolume pv-released", "StorageClass fast", "ClusterRole shop-reader");

    @org.junit.jupiter.api.io.TempDir
    static Path dir;
    static ApiServer api;
    static Kbackup kbackup;
    static RestorePoints stored;
    static final AtomicInteger RUN = new AtomicInteger();

    @BeforeAll
    static void cluster() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
        kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=2", "--kbackup.backup.pack-objects=3");
        stored = Stored.filesystem(dir);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of("whole cluster", List.of(),
                        all(SHOP, BILLING, CLUSTER, List.of("Namespace shop", "Namespace billing"))),
                Arguments.of("one namespace takes the PV of its claim and the CRD of its custom resource",
                        List.of("--include-namespaces", "shop"),
                        all(SHOP, List.of("Namespace shop", "PersistentVolume pv-data", "CustomResourceDefinition widgets.example.com"))),
                Arguments.of("cluster resources false", List.of("--include-namespaces", "shop", "--include-cluster-resources", "false"),
                        all(SHOP, List.of("Namespace shop"))),
                Arguments.of("cluster resources true", List.of("--include-namespaces", "shop", "--include-cluster-resources", "true"),
                        all(SHOP, CLUSTER, List.of("Namespace shop"))),
                Arguments.of("equality selector", List.of("--selector", "app=shop"),
                        all(SHOP, List.of("Namespace shop", "Namespace billing", "ClusterRole shop-reader",
                                "PersistentVolume pv-data", "CustomResourceDefinition widgets.example.com"))),
                Arguments.of("set selector", List.of("--selector", "tier in (web,db)"),
                        List.of("ConfigMap shop/app-config", "Secret shop/db-pass", "Deployment shop/web", "Service shop/web",
                                "Namespace shop", "Namespace billing")),
                Arguments.of("does-not-exist selector in a namespace", List.of("--selector", "!tier", "--include-namespaces", "shop"),
                        List.of("ServiceAccount shop/shop-sa", "Role shop/reader", "RoleBinding shop/reader",
                                "PersistentVolumeClaim shop/data", "Widget shop/blue", "Namespace shop", "PersistentVolume pv-data",
                                "CustomResourceDefinition widgets.example.com", "ReplicaSet shop/web-5d8f",
                                "Pod shop/web-5d8f-abcde", "Job shop/migrate")),
                Arguments.of("resource includes", List.of("--include-resources", "configmaps,Secret"),
                        List.of("ConfigMap shop/app-config", "Secret shop/db-pass", "ConfigMap billing/billing-config",
                                "Namespace shop", "Namespace billing")),
                Arguments.of("resource excludes with a namespace glob",
                        List.of("--exclude-resources", "secrets,widgets.example.com", "--include-namespaces", "sh*"),
                        List.of("ConfigMap shop/app-config", "Deployment shop/web", "Service shop/web", "ServiceAccount shop/shop-sa",
                                "Role shop/reader", "RoleBinding shop/reader", "PersistentVolumeClaim shop/data", "Namespace shop",
                                "PersistentVolume pv-data", "ReplicaSet shop/web-5d8f", "Pod shop/web-5d8f-abcde", "Job shop/migrate")),
                Arguments.of("system namespace only when named", List.of("--include-namespaces", "kube-system"),
                        List.of("ConfigMap kube-system/coredns", "Namespace kube-system")),
                Arguments.of("a namespace exclude alone is still a whole-cluster backup, cluster-scoped objects included",
                        List.of("--exclude-namespaces", "billing"), all(SHOP, CLUSTER, List.of("Namespace shop"))),
                Arguments.of("an exclude glob matching nothing changes nothing", List.of("--exclude-namespaces", "scratch-*"),
                        all(SHOP, BILLING, CLUSTER, List.of("Namespace shop", "Namespace billing"))),
                Arguments.of("events and nodes when asked for", List.of("--include-resources", "events,nodes"),
                        List.of("Event shop/web.1", "Node node-1", "Namespace shop", "Namespace billing")));
    }

    @org.junit.jupiter.api.Test
    void configurationSaysWhatToBackUpWhereNoFlagDoes() {
        Kbackup configured = kbackup.with("--kbackup.backup.include-namespaces=shop", "--kbackup.backup.include-cluster-resources=false",
                "--kbackup.backup.selector=tier=web");

        assertThat(configured.run("backup", "--name", "from-config").exitCode()).isZero();
        assertThat(configured.run("backup", "--name", "flag-wins", "--selector", "tier=db").exitCode()).isZero();
        Kbackup.Result bad = kbackup.with("--kbackup.backup.include-resources=gizmos").run("backup", "--name", "bad-config");

        assertThat(Stored.keys(stored, "from-config")).containsExactlyInAnyOrder("ConfigMap shop/app-config", "Deployment shop/web",
                "Service shop/web", "Namespace shop");
        assertThat(Stored.keys(stored, "flag-wins")).containsExactlyInAnyOrder("Secret shop/db-pass", "Namespace shop");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--include-resources: unknown resource 'gizmos'");
    }

    @SafeVarargs
    static List<String> all(List<String>... parts) {
        List<String> all = new ArrayList<>();
        Stream.of(parts).forEach(all::addAll);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void backupHoldsExactlyTheSelection(String title, List<String> flags, List<String> expected) {
        String name = "matrix-" + RUN.incrementAndGet();
        List<String> args = new ArrayList<>(List.of("backup", "--name", name));
        args.addAll(flags);
        Kbackup.Result result = kbackup.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Stored.keys(stored, name)).containsExactlyInAnyOrderElementsOf(expected);
    }
}
