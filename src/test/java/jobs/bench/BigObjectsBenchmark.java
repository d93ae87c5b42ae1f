package jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import jobs.testing.ApiServer;
import jobs.testing.ImageJvm;
import jobs.testing.Kbackup;

/**
 * Memory against object size: a namespace of Helm-release-like Secrets (random, so incompressible, base64 data),
 * backed up with the default settings (pages of 500, chunks of 2,000 objects or 4 MB) in a child JVM with
 * {@code -Xmx256m} and the image's flags. The same number of Secrets at 1 KB and at 1 MB: peak heap and heap after
 * collections from the GC log, and the smallest heap that still completes. Sizes: {@code -Dbench.bigObjects=2000}.
 */
final class BigObjectsBenchmark {

    private static final int[] HEAP_PROBES = {192, 128, 96, 64, 48, 40, 32};

    private BigObjectsBenchmark() {
    }

    static void run() throws Exception {
        int count = Integer.getInteger("bench.bigObjects", 2000);
        List<String> rows = new ArrayList<>();
        for (int size : new int[] {1024, 1024 * 1024}) {
            Path dir = Files.createTempDirectory("kbackup-bench-big-" + size);
            try (ApiServer api = ApiServer.startIndexed()) {
                seed(api, count, size);
                Kbackup kbackup = Kbackup.filesystem(dir, api);
                Path gcLog = dir.resolve("run-gc.log");
                long started = System.nanoTime();
                Process process = kbackup.spawn(ChildJvm.options(gcLog), "backup", "--name", "big");
                ChildJvm jvm = ChildJvm.watch(process, gcLog);
                if (jvm.exitCode() != 0) {
                    throw new IllegalStateException("backup exited " + jvm.exitCode() + ": " + Files.readString(kbackup.childLog(process)));
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                int smallest = smallestHeap(kbackup, dir);
                rows.add(String.format("| %,d | %s | %,.0f MB | %.1f | %d | %d | %d | %s |", count, size == 1024 ? "1 KB" : "1 MB",
                        (double) count * size / (1024 * 1024), seconds, jvm.peakHeapMb(), jvm.peakLiveHeapMb(),
                        jvm.peakRssKb() / 1024, smallest == 0 ? "-" : smallest + " MB"));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        System.out.println("\nBig objects: Secrets of random base64 data in one namespace, default settings, child JVM -Xmx256m");
        System.out.println("| secrets | each | data | wall s | peak heap MB | max heap after GC MB | peak RSS MB | smallest -Xmx that completes |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
    }

    /** Secrets whose data is {@code size} bytes of random base64, as gzip-compressed Helm releases are. */
    static void seed(ApiServer api, int count, int size) {
        api.create(new NamespaceBuilder().withNewMetadata().withName("helm").endMetadata().build());
        ObjectMapper json = new ObjectMapper();
        Random random = new Random(size);
        byte[] raw = new byte[size * 3 / 4];
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            random.nextBytes(raw);
            ObjectNode secret = json.createObjectNode().put("apiVersion", "v1").put("kind", "Secret").put("type", "helm.sh/release.v1");
            secret.putObject("metadata").put("name", String.format("sh.helm.release.v1.app-%05d.v1", i)).put("namespace", "helm")
                    .putObject("labels").put("owner", "helm");
            secret.putObject("data").put("release", Base64.getEncoder().encodeToString(raw));
            batch.add(secret);
            if (batch.size() == 100) {
                api.load("v1", "secrets", "helm", batch);
                batch.clear();
            }
        }
        api.load("v1", "secrets", "helm", batch);
    }

    private static int smallestHeap(Kbackup kbackup, Path dir) throws Exception {
        int smallest = 0;
        for (int mb : HEAP_PROBES) {
            Path gcLog = dir.resolve("probe-" + mb + "-gc.log");
            List<String> options = new ArrayList<>(List.of("-Xmx" + mb + "m", "-Xlog:gc:file=" + gcLog));
            options.addAll(ImageJvm.flagsWithExplicitHeap());
            Process process = kbackup.spawn(options, "backup", "--name", "probe-" + mb);
            if (ChildJvm.watch(process, gcLog).exitCode() != 0) {
                break;
            }
            smallest = mb;
        }
        return smallest;
    }
}
