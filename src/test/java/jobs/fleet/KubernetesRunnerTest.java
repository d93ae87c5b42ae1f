package jobs.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.JobController;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kubernetes} runner end to end: the manager creates an Indexed Job on the hub's API double, a test
 * controller plays the Job controller and starts a real child JVM running {@code kbackup worker} per index with the
 * pod's environment, all against one embedded PostgreSQL job repository. Every member's restore point must come out
 * complete with each object stored once, through a killed worker, a killed manager and a stop.
 */
class KubernetesRunnerTest {

    static EmbeddedPostgres postgres;

    @TempDir
    Path dir;
    ApiServer hub;
    ApiServer alpha;
    ApiServer beta;
    ApiServer gamma;
    Kbackup kbackup;
    JobController controller;

    @BeforeAll
    static void startDatabase() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void fleet() throws Exception {
        hub = ApiServer.start();
        hub.create(new NamespaceBuilder().withNewMetadata().withName("kbackup").endMetadata().build());
        alpha = ApiServer.start();
        ClusterFixture.populate(alpha);
        beta = ApiServer.start();
        gamma = ApiServer.start();
        for (ApiServer member : List.of(beta, gamma)) {
            member.create(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build());
            for (int i = 0; i < 40; i++) {
                member.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("team").endMetadata()
                        .addToData("i", Integer.toString(i)).build());
            }
        }
        kbackup = Kbackup.filesystem(dir, hub).with(
                "--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10",
                "--kbackup.fleet.kubernetes.image=kbackup:test", "--kbackup.fleet.kubernetes.namespace=kbackup",
                "--kbackup.fleet.kubernetes.poll-interval=200ms")
                .with(Fleets.member(0, "alpha", alpha.writeKubeconfig(Files.createDirectories(dir.resolve("alpha")))))
                .with(Fleets.member(1, "beta", beta.writeKubeconfig(Files.createDirectories(dir.resolve("beta")))))
                .with(Fleets.member(2, "gamma", gamma.writeKubeconfig(Files.createDirectories(dir.resolve("gamma")))));
        controller = new JobController(hub, "kbackup", kbackup);
    }

    @AfterEach
    void stop() {
        controller.close();
        for (ApiServer api : List.of(hub, alpha, beta, gamma)) {
            api.close();
        }
    }

    @Test
    void everyMemberRunsAsAPodOfOneIndexedJob() throws Exception {
        Kbackup.Result result = kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "k1", "--parallelism", "2");

        assertThat(result.exitCode()).as(result + "\n" + logs()).isZero();
        assertThat(result.out()).contains("Fleet backup k1 Completed: 3 of 3 clusters completed");
        List<Job> jobs = hub.client().batch().v1().jobs().inNamespace("kbackup").list().getItems();
        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
            assertThat(job.getSpec().getCompletions()).isEqualTo(3);
            assertThat(job.getSpec().getParallelism()).isEqualTo(2);
            assertThat(job.getSpec().getBackoffLimitPerIndex()).isEqualTo(1);
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getImage()).isEqualTo("kbackup:test");
            assertThat(container.getArgs()).containsExactly("worker");
            assertThat(container.getEnv()).extracting(EnvVar::getName)
                    .contains("KBACKUP_WORKER_JOB_EXECUTION", "KBACKUP_WORKER_STEP_EXECUTIONS");
        });
        assertThat(controller.attempts()).extracting(JobController.Attempt::index).containsExactlyInAnyOrder(0, 1, 2);
        assertComplete("k1");

        List<Long> overheads = new ArrayList<>();
        for (JobController.Attempt a : controller.attempts()) {
            overheads.add(Duration.between(a.started(), stepStart(a)).toMillis());
        }
        System.out.println("kubernetes runner, pod start to step start (ms, child JVM): " + overheads);
    }

    /** A manager in a pod gives its workers its own pod's image, account, labels, security context, environment, volumes. */
    @Test
    void workersCopyTheManagerPod() throws Exception {
        hub.create(new PodBuilder().withNewMetadata().withName("fleet-manager-1").withNamespace("kbackup")
                .addToLabels("azure.workload.identity/use", "true").addToLabels("job-name", "kbackup-fleet-backup-1").endMetadata()
                .withNewSpec().withServiceAccountName("kbackup-fleet").withNewSecurityContext().withRunAsUser(10001L).endSecurityContext()
                .addNewVolume().withName("config").withNewConfigMap().withName("kbackup-fleet-config").endConfigMap().endVolume()
                .addNewContainer().withName("kbackup").withImage("registry.example/kbackup:1.2").addToArgs("fleet", "backup")
                .addNewEnv().withName("KBACKUP_SITE").withValue("weu").endEnv()
                .addNewVolumeMount().withName("config").withMountPath("/config").endVolumeMount()
                .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext().endContainer().endSpec().build());
        Process manager = kbackup.spawn(Map.of("POD_NAME", "fleet-manager-1", "POD_NAMESPACE", "kbackup"), List.of("-Xmx256m"),
                "fleet", "backup", "--runner", "kubernetes", "--name", "k0", "--clusters", "beta");
        assertThat(manager.waitFor(3, TimeUnit.MINUTES)).isTrue();

        assertThat(manager.exitValue()).as(Files.readString(kbackup.childLog(manager)) + logs()).isZero();
        Job job = hub.client().batch().v1().jobs().inNamespace("kbackup").list().getItems().get(0);
        var template = job.getSpec().getTemplate();
        assertThat(template.getMetadata().getLabels()).containsEntry("azure.workload.identity/use", "true").doesNotContainKey("job-name");
        assertThat(template.getSpec().getServiceAccountName()).isEqualTo("kbackup-fleet");
        assertThat(template.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(template.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("config");
        var container = template.getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example/kbackup:1.2");
        assertThat(container.getArgs()).containsExactly("worker");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/config");
        assertThat(container.getEnv()).extracting(EnvVar::getName)
                .contains("KBACKUP_SITE", "KBACKUP_WORKER_JOB_EXECUTION", "KBACKUP_WORKER_STEP_EXECUTIONS");
        assertThat(Stored.manifest(Fleets.member(dir, "beta"), "k0").phase()).isEqualTo(Phase.Completed);
    }

    @Test
    void aPodThatNeverStartsFailsItsPartitionWithTheReason() throws Exception {
        controller.failImagePulls("ImagePullBackOff");

        Kbackup.Result result = kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "pull", "--clusters", "beta,gamma");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).containsPattern("beta\\s+FAILED .*never started: ImagePullBackOff: Back-off pulling image")
                .containsPattern("gamma\\s+FAILED .*never started: ImagePullBackOff");
        assertThat(controller.attempts()).as("no worker ran").isEmpty();
    }

    @Test
    void jobRepositoryOnH2IsRefused() throws Exception {
        Kbackup.Result result = kbackup.with("--spring.datasource.url=jdbc:h2:file:" + dir.resolve("h2") + ";DB_CLOSE_ON_EXIT=FALSE")
                .run("fleet", "backup", "--runner", "kubernetes", "--name", "h2");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("--runner kubernetes: the worker pods need the job repository the manager uses, and this one is H2");
        assertThat(hub.client().batch().v1().jobs().inNamespace("kbackup").list().getItems()).isEmpty();
    }

    /**
     * With Lease ownership, as in a pod: the retried pod finds the killed pod's Lease of alpha's backup still fresh, and
     * waits for it to expire instead of failing the index.
     */
    @Test
    void aKilledWorkerIsRetriedAndItsMemberResumes() throws Exception {
        controller.close();
        kbackup = kbackup.with("--kbackup.run.ownership=lease", "--kbackup.run.lease-namespace=kbackup", "--kbackup.run.lease-duration=20s");
        controller = new JobController(hub, "kbackup", kbackup);
        alpha.listLatency(Duration.ofMillis(100));
        CompletableFuture<Kbackup.Result> run = CompletableFuture.supplyAsync(
                () -> kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "k2", "--parallelism", "3"));
        JobController.Attempt first = controller.await(a -> a.index() == 0, 60);
        RestorePoints alphaPoints = Fleets.member(dir, "alpha");
        Fleets.awaitPacks(alphaPoints);
        first.process().destroyForcibly();
        alpha.listLatency(Duration.ZERO);

        Kbackup.Result result = run.get(5, TimeUnit.MINUTES);

        assertThat(result.exitCode()).as(result + "\n" + logs()).isZero();
        assertThat(controller.attempts()).filteredOn(a -> a.index() == 0).as("alpha's index retried once").hasSize(2);
        assertComplete("k2");
        assertThat(backupRuns("alpha", "k2")).as("the retry resumed alpha's backup: the dead run, then the one that completed it")
                .containsExactly("FAILED", "COMPLETED");
        assertThat(Files.readString(kbackup.childLog(controller.attempts().stream().filter(a -> a.index() == 0 && a.attempt() == 2)
                .findFirst().orElseThrow().process()))).contains("Resuming backup 'k2' of alpha");
    }

    @Test
    void aKilledManagerIsResumedByRelaunchingAndItsRunningWorkersAreAdopted() throws Exception {
        for (ApiServer member : List.of(alpha, beta, gamma)) {
            member.listLatency(Duration.ofMillis(150));
        }
        Process manager = kbackup.spawn("fleet", "backup", "--runner", "kubernetes", "--name", "k3", "--parallelism", "3");
        controller.await(a -> a.index() == 2, 60);
        Fleets.awaitPacks(Fleets.member(dir, "alpha"));
        manager.destroyForcibly();
        manager.waitFor(30, TimeUnit.SECONDS);
        assertThat(hub.client().batch().v1().jobs().inNamespace("kbackup").list().getItems()).singleElement()
                .as("its workers still run").satisfies(job -> assertThat(job.getStatus().getConditions()).isNullOrEmpty());

        Kbackup.Result relaunch = kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "k3");

        assertThat(relaunch.exitCode()).as(relaunch + "\n" + logs()).isZero();
        assertThat(relaunch.out()).contains("Fleet backup k3 Completed: 3 of 3 clusters completed");
        assertThat(controller.attempts()).as("the running workers were adopted, not started again").hasSize(3);
        assertComplete("k3");
    }

    @Test
    void stoppingTheRunStopsItsWorkersAndARelaunchFinishesIt() throws Exception {
        for (ApiServer member : List.of(alpha, beta, gamma)) {
            member.listLatency(Duration.ofMillis(150));
        }
        CompletableFuture<Kbackup.Result> run = CompletableFuture.supplyAsync(
                () -> kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "k4", "--parallelism", "3"));
        controller.await(a -> a.index() == 2, 60);
        Fleets.awaitPacks(Fleets.member(dir, "alpha"));

        Kbackup.Result stop = kbackup.run("stop", Long.toString(runningFleetExecutionId()));
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        Kbackup.Result stopped = run.get(5, TimeUnit.MINUTES);

        assertThat(stopped.exitCode()).as(stopped + "\n" + logs()).isEqualTo(1);
        assertThat(stopped.out()).contains("Fleet backup k4 Stopped");
        assertThat(hub.client().batch().v1().jobs().inNamespace("kbackup").list().getItems()).as("the Job was deleted").isEmpty();
        assertThat(partitionStatuses("k4")).as("each worker recorded STOPPED on SIGTERM").containsOnly("STOPPED");
        assertThat(Stored.manifest(Fleets.member(dir, "alpha"), "k4").phase()).isNotEqualTo(Phase.Completed);

        for (ApiServer member : List.of(alpha, beta, gamma)) {
            member.listLatency(Duration.ZERO);
        }
        Kbackup.Result relaunch = kbackup.run("fleet", "backup", "--runner", "kubernetes", "--name", "k4");
        assertThat(relaunch.exitCode()).as(relaunch + "\n" + logs()).isZero();
        assertComplete("k4");
    }

    /** Every member's restore point is complete, holds what a single backup of the member holds, each object once. */
    private void assertComplete(String name) throws Exception {
        Map<String, ApiServer> members = Map.of("alpha", alpha, "beta", beta, "gamma", gamma);
        for (Map.Entry<String, ApiServer> member : members.entrySet()) {
            RestorePoints points = Fleets.member(dir, member.getKey());
            assertThat(Stored.manifest(points, name).phase()).as(member.getKey()).isEqualTo(Phase.Completed);
            Path single = Files.createDirectories(dir.resolve("single-" + name + "-" + member.getKey()));
            assertThat(Kbackup.filesystem(single, member.getValue()).run("backup", "--name", "s").exitCode()).isZero();
            assertThat(Stored.keys(points, name)).as(member.getKey()).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(Stored.keys(Stored.filesystem(single), "s"));
        }
    }

    private String logs() throws Exception {
        StringBuilder all = new StringBuilder();
        for (JobController.Attempt a : controller.attempts()) {
            all.append("--- pod ").append(a.pod()).append('\n').append(Files.readString(kbackup.childLog(a.process())));
        }
        return all.toString();
    }

    private Connection database() throws Exception {
        return postgres.getPostgresDatabase().getConnection();
    }

    private Instant stepStart(JobController.Attempt attempt) throws Exception {
        Job job = hub.client().batch().v1().jobs().inNamespace("kbackup").withName(attempt.job()).get();
        String ids = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("KBACKUP_WORKER_STEP_EXECUTIONS")).findFirst().orElseThrow().getValue();
        long id = Long.parseLong(ids.split(",")[attempt.index()]);
        try (Connection c = database(); PreparedStatement s = c.prepareStatement("select START_TIME from BATCH_STEP_EXECUTION where STEP_EXECUTION_ID = ?")) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getTimestamp(1).toLocalDateTime().atZone(java.time.ZoneId.systemDefault()).toInstant();
            }
        }
    }

    /** Statuses of a member's backup executions of restore point {@code name}, oldest first. */
    private List<String> backupRuns(String member, String name) throws Exception {
        String sql = """
                select e.STATUS from BATCH_JOB_EXECUTION e join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                where i.JOB_NAME = 'backup'
                  and exists (select 1 from BATCH_JOB_EXECUTION_PARAMS p where p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                              and p.PARAMETER_NAME = 'cluster' and p.PARAMETER_VALUE = ?)
                  and exists (select 1 from BATCH_JOB_EXECUTION_PARAMS p where p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                              and p.PARAMETER_NAME = 'name' and p.PARAMETER_VALUE = ?)
                order by e.JOB_EXECUTION_ID""";
        return strings(sql, member, name);
    }

    private List<String> partitionStatuses(String name) throws Exception {
        String sql = """
                select s.STATUS from BATCH_STEP_EXECUTION s join BATCH_JOB_EXECUTION e on e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
                join BATCH_JOB_INSTANCE i on i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                where i.JOB_NAME = 'fleet-backup' and s.STEP_NAME like 'member:%'
                  and exists (select 1 from BATCH_JOB_EXECUTION_PARAMS p where p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                              and p.PARAMETER_NAME = 'name' and p.PARAMETER_VALUE = ?)""";
        return strings(sql, name);
    }

    private long runningFleetExecutionId() throws Exception {
        try (Connection c = database()) {
            return Fleets.runningFleetExecution(c);
        }
    }

    private List<String> strings(String sql, String... parameters) throws Exception {
        try (Connection c = database(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    values.add(r.getString(1));
                }
            }
            return values;
        }
    }
}
