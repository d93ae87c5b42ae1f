package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jobs.hooks.HookResult;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import jobs.testing.Events.Event;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.WorkloadController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore hooks: init containers put into restored pods and into the pod templates of restored workloads, and exec
 * hooks run in the pods that the restored workloads' controllers create, found through their owners, once running
 * or ready. The API double's workload controller plays the Deployment and ReplicaSet controllers and the kubelet.
 */
class RestoreHooksTest {

    private static final String REINDEX = "[\"/bin/sh\", \"-c\", \"reindex --all\"]";

    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    @TempDir
    Path dir;
    WorkloadController controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    /** A Deployment "api" in shop whose pod template carries these annotations. */
    private void api(int replicas, Map<String, String> annotations) {
        cluster.api().create(new DeploymentBuilder().withNewMetadata().withName("api").withNamespace("shop").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "api").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "api").addToAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("shop/api:2").endContainer()
                .addNewInitContainer().withName("migrate").withImage("shop/api:2").endInitContainer().endSpec()
                .endTemplate().endSpec().build());
    }

    private Kbackup backedUp() {
        Kbackup kbackup = Kbackup.filesystem(dir, cluster.api());
        Kbackup.Result backup = kbackup.run("backup", "--name", "nightly", "--include-namespaces", "shop", "--snapshot-volumes", "false");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        return kbackup;
    }

    private Kbackup.Result restore(Kbackup kbackup, String name, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("restore", "--from", "nightly", "--name", name,
                "--namespace-mapping", "shop=shop2", "--include-resources", "deployments,pods"));
        args.addAll(List.of(more));
        return kbackup.run(args.toArray(String[]::new));
    }

    private RestoreRecord record(String name) {
        return new RestoreRecords(jobs.testing.Stored.filesystem(dir).store()).find(name).orElseThrow();
    }

    private Deployment restoredApi() {
        return cluster.api().client().apps().deployments().inNamespace("shop2").withName("api").get();
    }

    @Test
    void initHooksGoFirstIntoARestoredDeploymentsPodTemplateConfiguredThenAnnotated() {
        api(1, Map.of("init.hook.restore.velero.io/container-image", "alpine:3.20",
                "init.hook.restore.velero.io/container-name", "seed",
                "init.hook.restore.velero.io/command", "[\"/bin/sh\", \"-c\", \"cp -r /seed/. /data\"]"));
        Kbackup kbackup = backedUp().with("--kbackup.hooks.restore.resources[0].name=warm-cache",
                "--kbackup.hooks.restore.resources[0].included-namespaces[0]=shop",
                "--kbackup.hooks.restore.resources[0].label-selector=app=api",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].init.init-containers[0].name=warm",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].init.init-containers[0].image=busybox:1.36",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].init.init-containers[0].command[0]=true",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].init.init-containers[0].volume-mounts[0].name=cache",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].init.init-containers[0].volume-mounts[0].mount-path=/cache");

        Kbackup.Result plan = restore(kbackup, "plan", "--dry-run");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("hooks: would add init container warm (busybox:1.36), init container seed (alpine:3.20)");
        assertThat(restoredApi()).as("a dry run writes nothing").isNull();

        Kbackup.Result result = restore(kbackup, "seeded");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<Container> init = restoredApi().getSpec().getTemplate().getSpec().getInitContainers();
        assertThat(init).extracting(Container::getName).containsExactly("warm", "seed", "migrate");
        assertThat(init.get(0).getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/cache"));
        assertThat(init.get(1).getCommand()).containsExactly("/bin/sh", "-c", "cp -r /seed/. /data");
        assertThat(init.get(1).getImage()).isEqualTo("alpine:3.20");
    }

    @Test
    void execHooksRunInThePodsTheRestoredDeploymentCreatesOnceTheyAreReady() {
        api(2, Map.of("post.hook.restore.velero.io/container", "api", "post.hook.restore.velero.io/command", REINDEX,
                "post.hook.restore.velero.io/wait-for-ready", "true", "exec.test.kbackup.io/script", "[]"));
        Kbackup kbackup = backedUp();
        controller = new WorkloadController(cluster.api(), "shop2", Duration.ofMillis(300), Duration.ofSeconds(1));

        Kbackup.Result plan = restore(kbackup, "plan", "--dry-run");
        assertThat(plan.out()).contains("hooks: would run in its pods: [/bin/sh, -c, reindex --all] in api once ready "
                + "(wait 10m, on-error Continue)");
        Kbackup.Result result = restore(kbackup, "reindexed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<Event> runs = cluster.api().events().matching("exec-start shop2/api-7c9f-");
        assertThat(runs).extracting(e -> e.what().substring(0, e.what().indexOf(" /bin/sh")))
                .containsExactlyInAnyOrder("exec-start shop2/api-7c9f-0/api", "exec-start shop2/api-7c9f-1/api");
        for (Event run : runs) {
            String pod = run.what().split(" ")[1].split("/")[1];
            assertThat(controller.readyAt()).as(pod + " was ready before its hook ran").containsKey(pod);
            assertThat(run.nanos()).as(pod + " ran its hook once ready").isGreaterThan(controller.readyAt().get(pod));
        }
        assertThat(record("reindexed").hooks()).extracting(HookResult::pod, HookResult::outcome).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("shop2/api-7c9f-0", "Succeeded"),
                org.assertj.core.groups.Tuple.tuple("shop2/api-7c9f-1", "Succeeded"));
        assertThat(result.out()).contains("Hooks:").containsPattern("post-restore +shop2/api-7c9f-0/api +Succeeded");
    }

    /** --validate asks the API server for what the hooks need too: exec into the restored pods. */
    @Test
    void validateNamesTheExecPermissionHooksNeed() {
        api(1, Map.of("post.hook.restore.velero.io/command", REINDEX));
        Kbackup kbackup = backedUp();
        cluster.api().deny("create", "", "pods/exec", "shop2");

        Kbackup.Result result = restore(kbackup, "check", "--validate");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).contains("create pods/exec in namespace shop2");
    }

    /** A StatefulSet makes its pods one by one: each pod's hook runs as soon as it is ready, not once all exist. */
    @Test
    void aStatefulSetsPodsRunTheirHooksAsTheyAppear() {
        cluster.api().create(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata().withName("db")
                .withNamespace("shop").endMetadata().withNewSpec().withReplicas(2).withServiceName("db")
                .withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db")
                .addToAnnotations("post.hook.restore.velero.io/command", "[\"seed\"]")
                .addToAnnotations("post.hook.restore.velero.io/wait-for-ready", "true").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer().endSpec()
                .endTemplate().endSpec().build());
        Kbackup kbackup = backedUp();
        controller = new WorkloadController(cluster.api(), "shop2", Duration.ofMillis(200), Duration.ofMillis(700));

        Kbackup.Result result = restore(kbackup, "ordered", "--include-resources", "statefulsets");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Event firstHook = cluster.api().events().matching("exec-start shop2/db-0/db seed").get(0);
        Event secondPod = cluster.api().events().matching("create pods shop2/db-1").get(0);
        assertThat(firstHook.sequence()).as("db-0's hook ran before db-1 existed").isLessThan(secondPod.sequence());
        assertThat(record("ordered").hooks()).extracting(HookResult::pod).containsExactly("shop2/db-0", "shop2/db-1");
    }

    /**
     * A restore killed while its hooks run: the relaunch runs no hook again in a pod whose hooks had ended (their
     * results were stored), runs the interrupted pod's again, and records both.
     */
    @Test
    void aRelaunchedRestoreRunsNoPodsHooksTwice() throws Exception {
        api(2, Map.of("post.hook.restore.velero.io/command", REINDEX,
                "exec.test.kbackup.io/script", "[{\"match\": \"reindex\", \"delayMs\": 1500}]"));
        Kbackup kbackup = backedUp();
        controller = new WorkloadController(cluster.api(), "shop2", Duration.ZERO, Duration.ZERO);

        Process first = kbackup.spawn("restore", "--from", "nightly", "--name", "killed", "--namespace-mapping", "shop=shop2",
                "--include-resources", "deployments,pods");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        while (cluster.api().events().matching("exec-end shop2/api-7c9f-").isEmpty()
                || cluster.api().events().matching("exec-start shop2/api-7c9f-").size() < 2) {
            assertThat(first.isAlive()).as("the first run is still going").isTrue();
            assertThat(System.nanoTime()).as("hooks started in time").isLessThan(deadline);
            Thread.sleep(10);
        }
        first.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        String done = cluster.api().events().matching("exec-end shop2/api-7c9f-").get(0).what().split(" ")[1];
        String interrupted = done.equals("shop2/api-7c9f-0/api") ? "shop2/api-7c9f-1/api" : "shop2/api-7c9f-0/api";

        Kbackup.Result result = restore(kbackup, "killed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(cluster.api().events().matching("exec-start " + done + " ")).as("ended before the kill: not again").hasSize(1);
        assertThat(cluster.api().events().matching("exec-start " + interrupted + " ")).as("interrupted: run again").hasSize(2);
        assertThat(record("killed").hooks()).extracting(HookResult::outcome).containsExactly("Succeeded", "Succeeded");
    }

    /** A restored bare pod: its first hook fails with on-error Fail, so its second never runs, and the restore is PartiallyFailed. */
    @Test
    void aHookFailingWithFailStopsThatPodsHooksAndTheRestoreIsPartiallyFailed() {
        cluster.api().create(new PodBuilder().withNewMetadata().withName("db-0").withNamespace("shop")
                .addToAnnotations("post.hook.restore.velero.io/command", "[\"pg_isready\"]")
                .addToAnnotations("post.hook.restore.velero.io/on-error", "Fail")
                .addToAnnotations("post.hook.restore.kbackup.io/command", "[\"psql\", \"-f\", \"/seed.sql\"]")
                .addToAnnotations("exec.test.kbackup.io/script", "[{\"match\": \"pg_isready\", \"exit\": 2, \"stderr\": \"no response\"}]")
                .endMetadata().withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build());
        Kbackup kbackup = backedUp();
        controller = new WorkloadController(cluster.api(), "shop2", Duration.ZERO, Duration.ZERO);

        Kbackup.Result result = restore(kbackup, "unready");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(record("unready").phase()).isEqualTo(jobs.store.Phase.PartiallyFailed);
        assertThat(record("unready").hooks()).singleElement().satisfies(h -> {
            assertThat(h.outcome()).isEqualTo("Failed");
            assertThat(h.describe()).isEqualTo("post-restore hook [pg_isready] in shop2/db-0/db failed: exit 2: no response");
        });
        assertThat(cluster.api().events().matching("exec-start shop2/db-0/db psql")).isEmpty();
        assertThat(kbackup.run("report").out()).contains("hooks 1 run, 1 failed");
    }

    @Test
    void aPodThatNeverGetsReadyTimesOutAfterTheWaitTimeoutAndContinueKeepsTheRestoreCompleted() {
        api(1, Map.of("post.hook.restore.velero.io/command", REINDEX, "post.hook.restore.velero.io/wait-for-ready", "true",
                "post.hook.restore.velero.io/wait-timeout", "2s"));
        Kbackup kbackup = backedUp();
        controller = new WorkloadController(cluster.api(), "shop2", Duration.ZERO, null);

        Kbackup.Result result = restore(kbackup, "stuck");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(record("stuck").hooks()).singleElement().satisfies(h -> {
            assertThat(h.outcome()).isEqualTo("TimedOut");
            assertThat(h.stderr()).isEqualTo("container api was not ready within the wait timeout 2s");
        });
        assertThat(cluster.api().events().matching("exec-start")).isEmpty();
    }

    @Test
    void anInvalidAnnotationRestoresTheWorkloadWithoutItsHooksAndNamesTheValue() {
        api(1, Map.of("post.hook.restore.velero.io/command", REINDEX, "post.hook.restore.velero.io/wait-timeout", "300",
                "init.hook.restore.velero.io/container-image", "alpine:3.20"));
        Kbackup kbackup = backedUp();

        Kbackup.Result result = restore(kbackup, "typo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(restoredApi().getSpec().getTemplate().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("migrate");
        assertThat(record("typo").hooks()).singleElement().satisfies(h -> assertThat(h.stderr()).isEqualTo("invalid hook: "
                + "deployments.apps shop/api: annotation post.hook.restore.velero.io/wait-timeout='300' is not a duration with a "
                + "unit (30s, 2m, 1m30s)"));
    }

    @Test
    void badHookConfigurationIsRefusedAtStartNamingTheKey() {
        Kbackup kbackup = backedUp().with("--kbackup.hooks.restore.resources[0].post-hooks[0].exec.command[0]=true",
                "--kbackup.hooks.restore.resources[0].post-hooks[0].exec.wait-timeout=0");

        Kbackup.Result result = restore(kbackup, "refused");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out() + result.err()).contains("kbackup.hooks.restore.resources[0].post-hooks[0].exec.wait-timeout='0' "
                + "must be positive (kbackup never waits forever)");
        assertThat(cluster.api().client().namespaces().withName("shop2").get()).isNull();
    }
}
