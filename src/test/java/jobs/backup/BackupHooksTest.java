package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jobs.hooks.HookResult;
import jobs.store.Manifest;
import jobs.store.Manifest.VolumeRecord;
import jobs.testing.Events.Event;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup hooks freeze a database pod around the snapshot of its volume, read from Velero's annotations and run over
 * pods/exec in the API double, whose event log orders every exec and creation: pre hook, VolumeSnapshot created,
 * snapshot cut, post hook, and the post hook does not wait for the snapshot to be ready.
 */
class BackupHooksTest {

    private static final String FREEZE = "[\"/sbin/fsfreeze\", \"--freeze\", \"/var/lib/postgresql\"]";
    private static final String THAW = "[\"/sbin/fsfreeze\", \"--unfreeze\", \"/var/lib/postgresql\"]";
    private static final Duration UPLOAD = Duration.ofSeconds(1);

    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    @TempDir
    Path dir;
    SnapshotController controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    private Kbackup kbackup(String failingClaim) {
        jobs.testing.SnapshotController.createClass(cluster.api(), "vsc", "Delete");
        controller = new SnapshotController(cluster.api(), failingClaim, UPLOAD);
        return Kbackup.filesystem(dir, cluster.api()).with("--kbackup.snapshots.provider=csi",
                "--kbackup.snapshots.csi.volume-snapshot-class=vsc", "--kbackup.snapshots.timeout=30s");
    }

    /** A running PostgreSQL pod mounting the claim shop/data, with these annotations and this exec script. */
    private void database(Map<String, String> annotations, String script) {
        cluster.api().create(new PodBuilder().withNewMetadata().withName("db-0").withNamespace("shop").addToLabels("app", "shop")
                .addToAnnotations(annotations).addToAnnotations("exec.test.kbackup.io/script", script).endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().endVolume()
                .endSpec().withNewStatus().withPhase("Running").endStatus().build());
    }

    private Manifest manifest(String name) {
        return Stored.manifest(Stored.filesystem(dir), name);
    }

    private VolumeRecord data(String name) {
        return manifest(name).volumes().stream().filter(v -> v.claim().equals("data")).findFirst().orElseThrow();
    }

    private Event first(String text) {
        List<Event> found = cluster.api().events().matching(text);
        assertThat(found).as("an event '" + text + "' in " + cluster.api().events().all()).isNotEmpty();
        return found.get(0);
    }

    @Test
    void preHookThenSnapshotCutThenPostHookWithoutWaitingForTheUpload() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");

        Kbackup kbackup = kbackup(null);
        Kbackup.Result result = kbackup.run("backup", "--name", "frozen", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(kbackup.run("describe", "frozen").out()).contains("Hooks:")
                .containsPattern("pre +shop/db-0/db +Succeeded").containsPattern("post +shop/db-0/db +Succeeded");
        Event preEnd = first("exec-end shop/db-0/db /sbin/fsfreeze --freeze");
        Event created = first("create volumesnapshots shop/kbackup-frozen-data");
        Event cut = first("create volumesnapshotcontents");
        Event postStart = first("exec-start shop/db-0/db /sbin/fsfreeze --unfreeze");
        assertThat(List.of(preEnd.sequence(), created.sequence(), cut.sequence(), postStart.sequence())).isSorted();
        assertThat(Duration.ofNanos(postStart.nanos() - preEnd.nanos())).as("the freeze window").isLessThan(UPLOAD);
        assertThat(data("frozen").isCompleted()).isTrue();
        assertThat(manifest("frozen").hooks()).extracting(HookResult::phase, HookResult::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pre", "Succeeded"), org.assertj.core.groups.Tuple.tuple("post", "Succeeded"));
        assertThat(kbackup.run("report").out()).contains("hooks 2 run, 0 failed").containsPattern("backup +1 runs.*, 2 hooks \\(0 failed\\)");
    }

    /** A rule in configuration picks the pod too: both run, the configured hook first (Velero drops it). */
    @Test
    void configuredHooksRunBeforeAnnotatedOnes() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");
        Kbackup kbackup = kbackup(null).with("--kbackup.hooks.backup.resources[0].name=checkpoint",
                "--kbackup.hooks.backup.resources[0].included-namespaces[0]=shop",
                "--kbackup.hooks.backup.resources[0].label-selector=app=shop",
                "--kbackup.hooks.backup.resources[0].pre[0].exec.container=db",
                "--kbackup.hooks.backup.resources[0].pre[0].exec.command[0]=psql",
                "--kbackup.hooks.backup.resources[0].pre[0].exec.command[1]=-c",
                "--kbackup.hooks.backup.resources[0].pre[0].exec.command[2]=CHECKPOINT");

        Kbackup.Result result = kbackup.run("backup", "--name", "both", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(first("exec-start shop/db-0/db psql -c CHECKPOINT").sequence())
                .isLessThan(first("exec-start shop/db-0/db /sbin/fsfreeze --freeze").sequence());
        assertThat(manifest("both").hooks()).extracting(HookResult::command).containsExactly(List.of("psql", "-c", "CHECKPOINT"),
                List.of("/sbin/fsfreeze", "--freeze", "/var/lib/postgresql"), List.of("/sbin/fsfreeze", "--unfreeze", "/var/lib/postgresql"));
    }

    @Test
    void aFailingPreHookSkipsTheSnapshotButThePostHookStillRuns() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW),
                "[{\"match\": \"--freeze\", \"exit\": 1, \"stderr\": \"fsfreeze: /var/lib/postgresql: Device or resource busy\"}]");

        Kbackup.Result result = kbackup(null).run("backup", "--name", "busy", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(data("busy").phase()).isEqualTo(VolumeRecord.FAILED);
        assertThat(data("busy").message()).isEqualTo("not snapshotted: pre hook [/sbin/fsfreeze, --freeze, /var/lib/postgresql] "
                + "in shop/db-0/db failed: exit 1: fsfreeze: /var/lib/postgresql: Device or resource busy");
        assertThat(cluster.api().events().matching("create volumesnapshots")).isEmpty();
        assertThat(cluster.api().events().matching("exec-start shop/db-0/db /sbin/fsfreeze --unfreeze")).hasSize(1);
    }

    @Test
    void aPreHookFailingWithContinueIsRecordedAndTheSnapshotTaken() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "pre.hook.backup.velero.io/on-error", "Continue"),
                "[{\"match\": \"--freeze\", \"exit\": 1}]");

        Kbackup.Result result = kbackup(null).run("backup", "--name", "anyway", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(data("anyway").isCompleted()).isTrue();
        assertThat(manifest("anyway").hooks()).singleElement().extracting(HookResult::outcome).isEqualTo("Failed");
    }

    @Test
    void aTimeoutIsAFailure() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "pre.hook.backup.velero.io/timeout", "200ms"),
                "[{\"match\": \"--freeze\", \"delayMs\": 3000}]");

        Kbackup.Result result = kbackup(null).run("backup", "--name", "slow", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(data("slow").message()).contains("failed: timed out after");
    }

    @Test
    void anInvalidAnnotationFailsTheHookNamingItAndRunsNoneOfThePodsHooks() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "pre.hook.backup.velero.io/timeout", "300",
                "post.hook.backup.velero.io/command", THAW), "[]");

        Kbackup.Result result = kbackup(null).run("backup", "--name", "typo", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(data("typo").message()).isEqualTo("not snapshotted: invalid hook: pod shop/db-0: annotation "
                + "pre.hook.backup.velero.io/timeout='300' is not a duration with a unit (30s, 2m, 1m30s)");
        assertThat(cluster.api().events().matching("exec-")).isEmpty();
    }

    @Test
    void aFailedSnapshotStillGetsItsPostHook() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");

        Kbackup.Result result = kbackup("data").run("backup", "--name", "broken", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(data("broken").phase()).isEqualTo(VolumeRecord.FAILED);
        assertThat(cluster.api().events().matching("exec-end shop/db-0/db /sbin/fsfreeze --unfreeze /var/lib/postgresql exit 0")).hasSize(1);
    }

    /**
     * Killed while the database is frozen (pre hook done, snapshot requested, not yet cut, post hook not run): the
     * relaunch runs the pre hook again before anything else, adopts the snapshot the killed run asked for instead of
     * taking a second one, and only then thaws. No post hook ever runs without a pre hook before it in its run.
     */
    @Test
    void killedBetweenPreAndPostTheRelaunchFreezesAgainAndSnapshotsOnce() throws Exception {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");
        Kbackup kbackup = kbackup(null);
        controller.cutAfter(Duration.ofSeconds(30));

        Process first = kbackup.spawn("backup", "--name", "killed", "--include-namespaces", "shop");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        while (cluster.api().events().matching("create volumesnapshots shop/kbackup-killed-data").isEmpty()) {
            assertThat(first.isAlive()).as("the first run is still going").isTrue();
            assertThat(System.nanoTime()).as("the snapshot was requested in time").isLessThan(deadline);
            Thread.sleep(10);
        }
        first.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        int killedAt = cluster.api().events().all().size();
        assertThat(cluster.api().events().matching("--unfreeze")).as("killed before the post hook").isEmpty();
        controller.cutAfter(Duration.ZERO);

        Kbackup.Result result = kbackup.run("backup", "--name", "killed", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> after = cluster.api().events().all().subList(killedAt, cluster.api().events().all().size()).stream()
                .map(Event::what).filter(t -> t.startsWith("exec-start") || t.startsWith("create volumesnapshots ")).toList();
        assertThat(after).as("after the kill: freeze again, no second snapshot, thaw").containsExactly(
                "exec-start shop/db-0/db /sbin/fsfreeze --freeze /var/lib/postgresql",
                "exec-start shop/db-0/db /sbin/fsfreeze --unfreeze /var/lib/postgresql");
        assertThat(cluster.api().events().matching("create volumesnapshots ")).as("one snapshot, adopted by the relaunch").hasSize(1);
        assertThat(data("killed").isCompleted()).isTrue();
    }

    /** With azure-disk the cut is ARM accepting the snapshot PUT: the post hook runs then, not when the copy ends. */
    @Test
    void azureDiskSnapshotsAreCutInsideTheFreezeAndThePostHookDoesNotWaitForTheCopy() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");
        try (jobs.testing.ArmCompute arm = jobs.testing.ArmCompute.start().events(cluster.api().events())) {
            arm.addDisk("sub", "rg", "pv-data", "westeurope");
            arm.latency(UPLOAD.multipliedBy(2));
            Kbackup kbackup = Kbackup.filesystem(dir, cluster.api()).with("--kbackup.snapshots.provider=azure-disk",
                    "--kbackup.snapshots.azure.subscription-id=sub", "--kbackup.snapshots.azure.resource-group=snaps",
                    "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(), "--kbackup.snapshots.azure.credential=none",
                    "--kbackup.snapshots.poll-interval=20ms");

            Kbackup.Result result = kbackup.run("backup", "--name", "disk", "--include-namespaces", "shop");

            assertThat(result.exitCode()).as(result.toString()).isZero();
            Event preEnd = first("exec-end shop/db-0/db /sbin/fsfreeze --freeze");
            Event cut = first("create snapshots kbackup-disk-pv-data");
            Event postStart = first("exec-start shop/db-0/db /sbin/fsfreeze --unfreeze");
            assertThat(List.of(preEnd.sequence(), cut.sequence(), postStart.sequence())).isSorted();
            assertThat(Duration.ofNanos(postStart.nanos() - preEnd.nanos())).as("the freeze window").isLessThan(UPLOAD);
            assertThat(cluster.api().events().all().subList(preEnd.sequence(), postStart.sequence())).extracting(Event::what)
                    .as("the disk and an existing snapshot are looked up before the freeze, not in it")
                    .noneMatch(e -> e.startsWith("get disks") || e.startsWith("get snapshots"));
            assertThat(cluster.api().events().matching("get disks pv-data")).isNotEmpty();
            assertThat(data("disk").isCompleted()).isTrue();
        }
    }

    /** The watchdog: a cut that does not come within kbackup.hooks.backup.max-freeze fails the volume and thaws the pod. */
    @Test
    void aCutThatNeverComesThawsThePodAfterMaxFreeze() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");
        Kbackup kbackup = kbackup(null).with("--kbackup.hooks.backup.max-freeze=1s");
        controller.cutAfter(Duration.ofMinutes(5));

        Kbackup.Result result = kbackup.run("backup", "--name", "stuck", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(data("stuck").phase()).isEqualTo(VolumeRecord.FAILED);
        assertThat(data("stuck").message()).contains("was not cut within");
        Duration frozen = Duration.ofNanos(first("exec-start shop/db-0/db /sbin/fsfreeze --unfreeze").nanos()
                - first("exec-end shop/db-0/db /sbin/fsfreeze --freeze").nanos());
        assertThat(frozen).as("the freeze window").isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    /** kbackup.hooks.backup.without-volumes: a pod with no snapshotted volume runs its hooks too, pre then post. */
    @Test
    void withoutVolumesAPodWithNoVolumeRunsItsHooks() {
        cluster.api().create(new PodBuilder().withNewMetadata().withName("cache").withNamespace("shop")
                .addToAnnotations("pre.hook.backup.velero.io/command", "[\"redis-cli\", \"save\"]")
                .addToAnnotations("post.hook.backup.kbackup.io/command", "[\"true\"]").endMetadata()
                .withNewSpec().addNewContainer().withName("cache").withImage("redis").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build());
        Kbackup kbackup = kbackup(null).with("--kbackup.hooks.backup.without-volumes=true");

        assertThat(kbackup.run("backup", "--name", "no-snapshots", "--include-namespaces", "shop", "--snapshot-volumes", "false")
                .exitCode()).isZero();
        assertThat(cluster.api().events().matching("exec-")).as("a resources-only backup runs none").isEmpty();
        Kbackup.Result result = kbackup.run("backup", "--name", "cache-too", "--include-namespaces", "shop");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(first("exec-end shop/cache/cache redis-cli save exit 0").sequence())
                .isLessThan(first("exec-start shop/cache/cache true").sequence());
        assertThat(manifest("cache-too").hooks()).extracting(HookResult::pod).containsExactly("shop/cache", "shop/cache");
    }

    @Test
    void noHooksRunWithoutSnapshotsOrWithoutVolumes() {
        database(Map.of("pre.hook.backup.velero.io/command", FREEZE, "post.hook.backup.velero.io/command", THAW), "[]");
        cluster.api().create(new PodBuilder().withNewMetadata().withName("cache").withNamespace("shop")
                .addToAnnotations("pre.hook.backup.velero.io/command", "[\"sync\"]").endMetadata()
                .withNewSpec().addNewContainer().withName("cache").withImage("redis").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build());
        Kbackup kbackup = kbackup(null);

        assertThat(kbackup.run("backup", "--name", "resources-only", "--include-namespaces", "shop", "--snapshot-volumes", "false")
                .exitCode()).isZero();
        assertThat(cluster.api().events().matching("exec-")).isEmpty();
        assertThat(kbackup.run("backup", "--name", "with-volumes", "--include-namespaces", "shop").exitCode()).isZero();
        assertThat(cluster.api().events().matching("exec-start shop/cache")).as("a pod with no volume runs no hooks").isEmpty();
        assertThat(cluster.api().events().matching("exec-start shop/db-0")).hasSize(2);
    }
}
