package jobs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;

/**
 * Restore of the 20,000-object {@link SyntheticCluster} into an empty indexed API server double over HTTP, in a
 * child JVM with {@code -Xmx256m}: objects per second of the apply step, from the job repository's step times.
 * Beside it, the floor: the same objects created into an empty double by a plain fabric8 client with the same
 * parallelism (8 threads), which is how the source cluster is seeded.
 */
final class RestoreBenchmark {

    static final int OBJECTS = 20_000;

    private RestoreBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kbackup-bench-restore");
        Files.createDirectories(dir.resolve("target"));
        try (ApiServer source = ApiServer.startIndexed(); ApiServer target = ApiServer.startIndexed()) {
            double floorSeconds = SyntheticCluster.seed(source, OBJECTS);
            Kbackup kbackup = Kbackup.filesystem(dir, source);
            Kbackup.Result backup = kbackup.run("backup", "--name", "bench");
            if (backup.exitCode() != 0) {
                throw new IllegalStateException(backup.toString());
            }
            Kbackup restoring = kbackup.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(dir.resolve("target")));
            Path gcLog = dir.resolve("restore-gc.log");
            Process process = restoring.spawn(ChildJvm.options(gcLog), "restore", "--from", "bench", "--name", "bench-restore");
            ChildJvm jvm = ChildJvm.watch(process, gcLog);
            if (jvm.exitCode() != 0) {
                throw new IllegalStateException("restore exited " + jvm.exitCode() + ": " + Files.readString(restoring.childLog(process)));
            }
            StepRecord apply = StepRecord.of(dir, "restore", "apply", "bench-restore");
            long restored = target.client().configMaps().inAnyNamespace().list().getItems().size()
                    + target.client().secrets().inAnyNamespace().list().getItems().size()
                    + target.client().apps().deployments().inAnyNamespace().list().getItems().size()
                    + target.client().services().inAnyNamespace().list().getItems().size();
            int created = OBJECTS + SyntheticCluster.NAMESPACES + 1;
            System.out.printf("%nRestore benchmark: %,d objects (%d namespaces, a CRD and its custom resources), child JVM -Xmx256m%n",
                    created, SyntheticCluster.NAMESPACES);
            System.out.printf("restore apply step:    %8.2f s  %8.0f objects/s  (%,d items written; %,d built-in objects now in the target)%n",
                    apply.seconds(), apply.written() / apply.seconds(), apply.written(), restored);
            System.out.printf("floor (plain creates): %8.2f s  %8.0f objects/s  restore / floor = %.2f%n", floorSeconds,
                    created / floorSeconds, apply.seconds() / floorSeconds);
            System.out.printf("restore process: wall %.1f s, peak heap %d MB, max live after GC %d MB, peak RSS %d MB%n",
                    jvm.wallSeconds(), jvm.peakHeapMb(), jvm.peakLiveHeapMb(), jvm.peakRssKb() / 1024);
        }
    }
}
