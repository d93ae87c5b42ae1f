package jobs.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of three API doubles, one of them unreachable, backed up as one run on the local runner into one folder:
 * each reachable member's restore point is complete under {@code clusters/<name>/}, the unreachable one fails its
 * partition alone (exit 3, named), and a relaunch once it is back backs up only that one.
 */
class FleetBackupTest {

    @TempDir
    Path dir;
    ApiServer alpha;
    ApiServer beta;
    ApiServer gamma;
    Path gammaKubeconfig;
    Kbackup kbackup;

    @BeforeEach
    void fleet() throws Exception {
        alpha = ApiServer.start();
        ClusterFixture.populate(alpha);
        beta = ApiServer.start();
        beta.create(new NamespaceBuilder().withNewMetadata().withName("team-b").endMetadata().build());
        for (int i = 0; i < 30; i++) {
            beta.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("team-b").endMetadata()
                    .addToData("i", Integer.toString(i)).build());
        }
        gamma = ApiServer.start();
        gamma.create(new NamespaceBuilder().withNewMetadata().withName("team-g").endMetadata().build());
        gammaKubeconfig = Fleets.unreachable(Files.createDirectories(dir.resolve("gamma")));
        kbackup = Kbackup.filesystem(dir, alpha).with("--kbackup.kube.request-retries=1")
                .with(Fleets.member(0, "alpha", alpha.writeKubeconfig(Files.createDirectories(dir.resolve("alpha")))))
                .with(Fleets.member(1, "beta", beta.writeKubeconfig(Files.createDirectories(dir.resolve("beta")))))
                .with(Fleets.member(2, "gamma", gammaKubeconfig));
    }

    @AfterEach
    void stop() {
        alpha.close();
        beta.close();
        gamma.close();
    }

    @Test
    void anUnreachableMemberFailsAloneAndARelaunchBacksUpOnlyIt() throws Exception {
        Kbackup.Result first = kbackup.run("fleet", "backup", "--name", "nightly", "--parallelism", "3");

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(3);
        assertThat(first.out()).contains("Fleet backup nightly PartiallyFailed: 2 of 3 clusters completed; not completed: gamma");
        assertThat(first.out()).containsPattern("gamma\\s+FAILED");
        RestorePoints alphaPoints = Fleets.member(dir, "alpha");
        RestorePoints betaPoints = Fleets.member(dir, "beta");
        assertThat(Stored.manifest(alphaPoints, "nightly").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.manifest(betaPoints, "nightly").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(betaPoints, "nightly")).filteredOn(k -> k.startsWith("ConfigMap team-b/cm-")).hasSize(30)
                .doesNotHaveDuplicates();
        // Each member's restore point holds exactly what a single-cluster backup of it holds.
        assertThat(Kbackup.filesystem(Files.createDirectories(dir.resolve("single")), alpha).run("backup", "--name", "single").exitCode()).isZero();
        assertThat(Stored.keys(alphaPoints, "nightly"))
                .containsExactlyInAnyOrderElementsOf(Stored.keys(Stored.filesystem(dir.resolve("single")), "single"));
        assertThat(Stored.filesystem(dir).list()).as("nothing at the top of the store").isEmpty();

        int alphaLists = alpha.listCalls("/configmaps");
        Files.writeString(gammaKubeconfig, Files.readString(gamma.writeKubeconfig(Files.createDirectories(dir.resolve("gamma-up")))));
        Kbackup.Result relaunch = kbackup.run("fleet", "backup", "--name", "nightly");

        assertThat(relaunch.exitCode()).as(relaunch.toString()).isZero();
        assertThat(relaunch.out()).contains("Fleet backup nightly Completed: 3 of 3 clusters completed");
        assertThat(alpha.listCalls("/configmaps")).as("alpha, completed, is not backed up again").isEqualTo(alphaLists);
        assertThat(Stored.manifest(Fleets.member(dir, "gamma"), "nightly").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(Fleets.member(dir, "gamma"), "nightly")).contains("Namespace team-g");
    }

    @Test
    void everyCommandWorksForOneMemberWithCluster() throws Exception {
        assertThat(kbackup.run("fleet", "backup", "--name", "n1", "--clusters", "alpha,beta").exitCode()).isZero();

        Kbackup.Result list = kbackup.run("list", "--cluster", "beta");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("n1");
        assertThat(kbackup.run("list").out()).doesNotContain("n1");
        assertThat(kbackup.run("describe", "--cluster", "alpha", "n1").out()).contains("Completed");

        // Disaster recovery: alpha's restore point into beta.
        Kbackup.Result restore = kbackup.run("restore", "--cluster", "alpha", "--to-cluster", "beta", "--from", "n1",
                "--include-namespaces", "shop", "--name", "dr");
        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(beta.client().configMaps().inNamespace("shop").withName("app-config").get()).isNotNull();
        assertThat(alpha.client().namespaces().withName("team-b").get()).as("alpha untouched").isNull();

        Kbackup.Result diff = kbackup.run("diff", "--cluster", "beta", "n1", "--live", "--exit-code");
        assertThat(diff.exitCode()).as("the restore added shop to beta: " + diff).isEqualTo(4);

        Kbackup.Result single = kbackup.run("backup", "--cluster", "gamma", "--name", "solo");
        assertThat(single.exitCode()).as("gamma is unreachable: " + single).isEqualTo(1);
        assertThat(Fleets.member(dir, "gamma").find("solo")).as("a failed preflight writes nothing").isEmpty();
    }

    /**
     * The local runner's members back up on threads of the run's own JVM: {@code stop ID} from another process stops
     * each of them at its next commit, the run ends Stopped, and a relaunch finishes every member, each object once.
     */
    @Test
    void stoppingALocalRunStopsItsMembersAndARelaunchFinishesIt() throws Exception {
        Kbackup paced = kbackup.with("--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10");
        alpha.listLatency(Duration.ofMillis(150));
        beta.listLatency(Duration.ofMillis(150));
        CompletableFuture<Kbackup.Result> run = CompletableFuture.supplyAsync(
                () -> paced.run("fleet", "backup", "--name", "s1", "--clusters", "alpha,beta", "--parallelism", "2"));
        Fleets.awaitPacks(Fleets.member(dir, "alpha"));

        long id;
        try (Connection repository = repository()) {
            id = Fleets.runningFleetExecution(repository);
        }
        Kbackup.Result stop = paced.run("stop", Long.toString(id));
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        Kbackup.Result stopped = run.get(5, TimeUnit.MINUTES);

        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.out()).contains("Fleet backup s1 Stopped");
        assertThat(memberStatuses("s1")).as("each member's backup execution").hasSize(2).containsOnly("STOPPED");
        assertThat(Stored.manifest(Fleets.member(dir, "alpha"), "s1").phase()).isNotEqualTo(Phase.Completed);

        alpha.listLatency(Duration.ZERO);
        beta.listLatency(Duration.ZERO);
        Kbackup.Result relaunch = paced.run("fleet", "backup", "--name", "s1", "--clusters", "alpha,beta");

        assertThat(relaunch.exitCode()).as(relaunch.toString()).isZero();
        assertThat(relaunch.out()).contains("Fleet backup s1 Completed: 2 of 2 clusters completed");
        for (ApiServer member : List.of(alpha, beta)) {
            String name = member == alpha ? "alpha" : "beta";
            Path single = Files.createDirectories(dir.resolve("single-" + name));
            assertThat(Kbackup.filesystem(single, member).run("backup", "--name", "one").exitCode()).isZero();
            assertThat(Stored.manifest(Fleets.member(dir, name), "s1").phase()).as(name).isEqualTo(Phase.Completed);
            assertThat(Stored.keys(Fleets.member(dir, name), "s1")).as(name).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(Stored.keys(Stored.filesystem(single), "one"));
        }
    }

    private Connection repository() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("jobs"), "sa", "");
    }

    /** The statuses of the member backups' own job executions in the fleet run {@code name}. */
    private List<String> memberStatuses(String name) throws Exception {
        try (Connection c = repository(); ResultSet r = c.createStatement().executeQuery("""
                select e.STATUS from BATCH_JOB_EXECUTION e join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                where i.JOB_NAME = 'backup' and exists (select 1 from BATCH_JOB_EXECUTION_PARAMS p
                    where p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID and p.PARAMETER_NAME = 'name' and p.PARAMETER_VALUE = '""" + name + "')")) {
            List<String> statuses = new ArrayList<>();
            while (r.next()) {
                statuses.add(r.getString(1));
            }
            return statuses;
        }
    }

    /** The members and their selections outgrow one job parameter (the repository's column holds 2,500 characters). */
    @Test
    void aFleetOfManyMembersIsOneRun() throws Exception {
        Path kubeconfig = beta.writeKubeconfig(Files.createDirectories(dir.resolve("many")));
        Kbackup many = Kbackup.filesystem(dir, alpha);
        for (int i = 0; i < 40; i++) {
            many = many.with(Fleets.member(i, String.format("member-%02d", i), kubeconfig));
        }

        Kbackup.Result result = many.run("fleet", "backup", "--name", "wide", "--parallelism", "8");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Fleet backup wide Completed: 40 of 40 clusters completed");
        assertThat(Stored.keys(Fleets.member(dir, "member-39"), "wide")).filteredOn(k -> k.startsWith("ConfigMap team-b/")).hasSize(30);
    }

    @Test
    void badFleetsAreRefusedNamingTheEntry() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"kbackup.fleet.clusters[1] (beta): the name is taken", "--kbackup.fleet.clusters[1].name=alpha"},
                new String[] {"kbackup.fleet.clusters[1] (beta): kbackup.policy.retention must be between 1 day and 360 days",
                        "--kbackup.fleet.clusters[1].policy.retention=P400D"},
                new String[] {"kbackup.fleet.clusters[2] (gamma).kubeconfig: no file", "--kbackup.fleet.clusters[2].kubeconfig=" + dir.resolve("nope")},
                new String[] {"kbackup.fleet.clusters[0] (alpha): give kubeconfig or kubeconfig-secret, not both",
                        "--kbackup.fleet.clusters[0].kubeconfig-secret=kbackup/alpha"});
        for (String[] c : cases) {
            String expected = c[0].replace(": the name is taken", ""); // the taken name is reported under the new name
            Kbackup.Result result = kbackup.with(c[1]).run("fleet", "backup", "--name", "x");
            assertThat(result.exitCode()).as(c[1] + " -> " + result).isEqualTo(2);
            assertThat(result.err()).as(c[1]).contains(c[1].contains("name=alpha") ? "kbackup.fleet.clusters[1] (alpha): the name is taken" : expected);
        }
        assertThat(kbackup.run("list", "--cluster", "delta").err()).contains("--cluster delta: no such member of kbackup.fleet.clusters (members: alpha, beta, gamma)");
        assertThat(kbackup.run("fleet", "backup", "--clusters", "alpha,delta").err()).contains("--clusters: 'delta' is not a member");
        assertThat(kbackup.run("restore", "--to-cluster", "beta", "--from", "x").err()).contains("--to-cluster beta needs --cluster");
        assertThat(Kbackup.filesystem(Files.createDirectories(dir.resolve("nofleet")), alpha).run("fleet", "backup").err())
                .contains("fleet backup: no fleet is configured");
        assertThat(Files.exists(dir.resolve("backups"))).as("nothing written").isFalse();
    }
}
