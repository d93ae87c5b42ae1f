package jobs.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.Events.Event;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;

/**
 * Backup hooks at scale: 16 pods, each mounting a volume of its own and frozen around its snapshot by a pre hook and
 * a post hook of 200 ms each (scripted in the API double's exec), CSI snapshots cut at once and ready 1 s later, at
 * concurrency 8. Prints the volumes step's wall time beside the ideal (rounds x (pre + the longer of post and the
 * upload)), and per pod the freeze window (pre hook's end to post hook's start, from the double's event log) against
 * the snapshot's cut time (VolumeSnapshot created to its creationTime set, as the double's controller logs it): the
 * overhead is what kbackup adds to a freeze.
 */
final class HooksBenchmark {

    static final int PODS = 16;
    static final int CONCURRENCY = 8;
    static final Duration HOOK = Duration.ofMillis(200);
    static final Duration READY = Duration.ofSeconds(1);

    private HooksBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-bench-hooks");
        try (ApiServer api = ApiServer.start(); SnapshotController controller = new SnapshotController(api, null, READY)) {
            SnapshotController.createClass(api, "vsc", "Delete");
            api.create(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build());
            String script = "[{\"match\": \"--freeze\", \"delayMs\": " + HOOK.toMillis() + "}, {\"match\": \"--unfreeze\", \"delayMs\": "
                    + HOOK.toMillis() + "}]";
            for (int i = 0; i < PODS; i++) {
                api.create(new PersistentVolumeBuilder().withNewMetadata().withName("pv-" + i).endMetadata().withNewSpec()
                                .addToCapacity("storage", new Quantity("8Gi")).withNewCsi().withDriver("disk.csi.azure.com")
                                .withVolumeHandle("disk-" + i).endCsi().withNewClaimRef().withNamespace("bench").withName("data-" + i)
                                .endClaimRef().endSpec().build(),
                        new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-" + i).withNamespace("bench")
                                .endMetadata().withNewSpec().withVolumeName("pv-" + i).endSpec().build(),
                        new PodBuilder().withNewMetadata().withName("db-" + i).withNamespace("bench")
                                .addToAnnotations("pre.hook.backup.velero.io/command", "[\"fsfreeze\", \"--freeze\", \"/data\"]")
                                .addToAnnotations("post.hook.backup.velero.io/command", "[\"fsfreeze\", \"--unfreeze\", \"/data\"]")
                                .addToAnnotations("exec.test.kbackup.io/script", script).endMetadata()
                                .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer()
                                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-" + i)
                                .endPersistentVolumeClaim().endVolume().endSpec()
                                .withNewStatus().withPhase("Running").endStatus().build());
            }
            Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                    "--kbackup.snapshots.csi.volume-snapshot-class=vsc", "--kbackup.snapshots.concurrency=" + CONCURRENCY);
            double ideal = Math.ceil((double) PODS / CONCURRENCY) * (HOOK.toMillis() + Math.max(HOOK.toMillis(), READY.toMillis())) / 1000.0;
            System.out.printf("%nHooks benchmark: %d pods with %d ms pre and post hooks, one CSI volume each (ready %d ms after the "
                    + "cut), concurrency %d%n", PODS, HOOK.toMillis(), READY.toMillis(), CONCURRENCY);
            System.out.printf("%-8s %8s %8s %7s %14s %12s %16s %18s %18s%n", "run", "wall s", "ideal s", "ratio", "freeze ms max",
                    "cut ms max", "overhead ms max", "pre end->request", "cut->post start");
            for (int run = 0; run < 5; run++) {
                String name = "hooks-" + run;
                int from = api.events().all().size();
                Kbackup.Result result = kbackup.run("backup", "--name", name, "--include-namespaces", "bench", "--include-resources", "pods,pvc");
                if (result.exitCode() != 0) {
                    throw new IllegalStateException(result.toString());
                }
                List<Event> events = api.events().all().subList(from, api.events().all().size());
                long freezeMax = 0;
                long cutMax = 0;
                long overheadMax = 0;
                long beforeMax = 0;
                long afterMax = 0;
                for (int i = 0; i < PODS; i++) {
                    long preEnd = find(events, "exec-end bench/db-" + i + "/db fsfreeze --freeze").nanos();
                    long postStart = find(events, "exec-start bench/db-" + i + "/db fsfreeze --unfreeze").nanos();
                    Event created = find(events, "create volumesnapshots bench/kbackup-" + name + "-data-" + i);
                    Event cutAt = find(events, "cut volumesnapshots bench/kbackup-" + name + "-data-" + i);
                    long cut = cutAt.nanos() - created.nanos();
                    beforeMax = Math.max(beforeMax, created.nanos() - preEnd);
                    afterMax = Math.max(afterMax, postStart - cutAt.nanos());
                    long freeze = postStart - preEnd;
                    freezeMax = Math.max(freezeMax, freeze);
                    cutMax = Math.max(cutMax, cut);
                    overheadMax = Math.max(overheadMax, freeze - cut);
                }
                double wall = StepRecord.of(dir, "backup", "volumes", name).seconds();
                System.out.printf("%-8s %8.2f %8.2f %7.2f %14.1f %12.1f %16.1f %18.1f %18.1f%n", name, wall, ideal, wall / ideal,
                        freezeMax / 1e6, cutMax / 1e6, overheadMax / 1e6, beforeMax / 1e6, afterMax / 1e6);
            }
        }
    }

    private static Event find(List<Event> events, String text) {
        return events.stream().filter(e -> e.what().equals(text) || e.what().startsWith(text + " ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no event " + text));
    }
}
