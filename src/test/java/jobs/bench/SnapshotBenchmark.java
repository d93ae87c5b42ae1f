package jobs.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jobs.testing.ApiServer;
import jobs.testing.ArmCompute;
import jobs.testing.Kbackup;
import jobs.testing.SnapshotController;

/**
 * Wall time of the volumes step snapshotting 100 volumes, each snapshot taking 1 s in the ARM double, at
 * concurrency 1, 8 and 16, beside the ideal (volumes / concurrency x latency). Measured from the job repository's
 * step execution times, so JVM and context start-up are not counted.
 */
final class SnapshotBenchmark {

    static final int VOLUMES = 100;
    static final Duration LATENCY = Duration.ofSeconds(1);

    private SnapshotBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-bench-snapshots");
        try (ApiServer api = ApiServer.start(); ArmCompute arm = ArmCompute.start()) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build());
            for (int i = 0; i < VOLUMES; i++) {
                String disk = arm.addDisk("sub", "nodes", "disk-" + i, "westeurope");
                api.create(new PersistentVolumeBuilder().withNewMetadata().withName("pv-" + i).endMetadata().withNewSpec()
                                .addToCapacity("storage", new Quantity("8Gi")).withNewCsi().withDriver("disk.csi.azure.com")
                                .withVolumeHandle(disk).endCsi().withNewClaimRef().withNamespace("bench").withName("data-" + i)
                                .endClaimRef().endSpec().build(),
                        new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-" + i).withNamespace("bench")
                                .endMetadata().withNewSpec().withVolumeName("pv-" + i).endSpec().build());
            }
            arm.latency(LATENCY);
            Kbackup kbackup = Kbackup.filesystem(dir, api).with(
                    "--kbackup.snapshots.provider=azure-disk", "--kbackup.snapshots.azure.subscription-id=sub",
                    "--kbackup.snapshots.azure.resource-group=snapshots",
                    "--kbackup.snapshots.azure.resource-manager-endpoint=" + arm.url(),
                    "--kbackup.snapshots.azure.credential=none", "--kbackup.snapshots.poll-interval=50ms");
            System.out.printf("%nSnapshot benchmark: %d volumes, %d ms per snapshot%n", VOLUMES, LATENCY.toMillis());
            System.out.printf("%-12s %10s %10s %8s%n", "concurrency", "wall s", "ideal s", "ratio");
            for (int concurrency : List.of(1, 8, 16)) {
                String name = "bench-c" + concurrency;
                Kbackup.Result result = kbackup.with("--kbackup.snapshots.concurrency=" + concurrency)
                        .run("backup", "--name", name, "--include-namespaces", "bench", "--include-resources", "pvc");
                if (result.exitCode() != 0) {
                    throw new IllegalStateException(result.toString());
                }
                double wall = volumesStepSeconds(dir, name);
                double ideal = Math.ceil((double) VOLUMES / concurrency) * LATENCY.toMillis() / 1000.0;
                System.out.printf("%-12d %10.2f %10.2f %8.2f%n", concurrency, wall, ideal, wall / ideal);
            }
        }
        csi();
    }

    /**
     * CSI: 32 claims whose VolumeSnapshots the snapshot controller (the test double's) reports ready 1 s after it
     * first sees them, at concurrency 8, against the ideal 4 s: what waiting on readyToUse costs.
     */
    static void csi() throws Exception {
        int volumes = 32;
        int concurrency = 8;
        Path dir = Files.createTempDirectory("kbackup-bench-csi");
        try (ApiServer api = ApiServer.start(); SnapshotController controller = new SnapshotController(api, null, LATENCY)) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build());
            for (int i = 0; i < volumes; i++) {
                api.create(new PersistentVolumeBuilder().withNewMetadata().withName("pv-" + i).endMetadata().withNewSpec()
                                .addToCapacity("storage", new Quantity("8Gi")).withNewCsi().withDriver("disk.csi.azure.com")
                                .withVolumeHandle("disk-" + i).endCsi().withNewClaimRef().withNamespace("bench").withName("data-" + i)
                                .endClaimRef().endSpec().build(),
                        new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-" + i).withNamespace("bench")
                                .endMetadata().withNewSpec().withVolumeName("pv-" + i).endSpec().build());
            }
            Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.snapshots.provider=csi",
                    "--kbackup.snapshots.csi.volume-snapshot-class=vsc", "--kbackup.snapshots.concurrency=" + concurrency);
            System.out.printf("%nCSI snapshot benchmark: %d volumes, ready %d ms after creation, concurrency %d%n", volumes,
                    LATENCY.toMillis(), concurrency);
            System.out.printf("%-12s %10s %10s %8s%n", "run", "wall s", "ideal s", "ratio");
            for (int run = 0; run < 3; run++) {
                String name = "csi-" + run;
                Kbackup.Result result = kbackup.run("backup", "--name", name, "--include-namespaces", "bench",
                        "--include-resources", "pvc");
                if (result.exitCode() != 0) {
                    throw new IllegalStateException(result.toString());
                }
                double wall = volumesStepSeconds(dir, name);
                double ideal = Math.ceil((double) volumes / concurrency) * LATENCY.toMillis() / 1000.0;
                System.out.printf("%-12s %10.2f %10.2f %8.2f%n", name, wall, ideal, wall / ideal);
            }
        }
    }

    private static double volumesStepSeconds(Path dir, String name) throws Exception {
        return StepRecord.of(dir, "backup", "volumes", name).seconds();
    }
}
