package jobs.bench;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;

/**
 * Storage format 2 on the 100,000-object {@link SyntheticCluster} (#15's goals), into the filesystem store and Azurite:
 * a first backup into an empty store, a second of the unchanged cluster, a third after 1 % of the objects changed
 * (config maps drawn at random over the whole cluster, so spread over every namespace and pack), then restores of
 * the first and third restore points into an empty API double, twice each, alternating.
 *
 * <p>Bytes uploaded and write requests are the store's own counts ({@code kbackup_storage_written_bytes_total} and
 * the put operations, every blob written, manifests included), from each run's metrics file. Times are whole
 * commands in this process.
 */
final class IncrementalBenchmark {

    static final int OBJECTS = Integer.getInteger("bench.incrementalObjects", 100_000);
    /** A quarter of the namespaces (app-1, app-10 to app-19, app-100 to app-119): every pack is read all the same. */
    static final String RESTORED = "app-1*";
    static final List<String> STORES = List.of(System.getProperty("bench.stores", "filesystem,azurite").split(","));

    private IncrementalBenchmark() {
    }

    private record Run(String name, double seconds, long bytes, double puts, long newObjects, int newPacks) {
    }

    static void run() throws Exception {
        try (ApiServer api = ApiServer.startIndexed()) {
            SyntheticCluster.seed(api, OBJECTS);
            List<Integer> configMaps = new ArrayList<>();
            for (int i = 0; i < OBJECTS; i++) {
                if (SyntheticCluster.object(i) instanceof ConfigMap) {
                    configMaps.add(i);
                }
            }
            Collections.shuffle(configMaps, new Random(15));
            List<Integer> churn = configMaps.subList(0, OBJECTS / 100);
            int round = 0;
            System.out.printf("%nIncremental storage benchmark: %,d objects; churn: %,d config maps drawn at random%n", OBJECTS, churn.size());
            for (String storeName : STORES) {
                Path dir = Files.createTempDirectory("kbackup-bench-incremental");
                Kbackup kbackup;
                RestorePoints stored;
                if (storeName.equals("azurite")) {
                    String container = "incremental-" + UUID.randomUUID().toString().substring(0, 8);
                    kbackup = Kbackup.azure(dir, api, container);
                    stored = Stored.azure(container);
                } else {
                    kbackup = Kbackup.filesystem(dir, api);
                    stored = Stored.filesystem(dir);
                }
                List<Run> runs = new ArrayList<>();
                runs.add(backup(kbackup, stored, dir, "first"));
                runs.add(backup(kbackup, stored, dir, "unchanged"));
                round++;
                for (int i : churn) {
                    HasMetadata object = SyntheticCluster.object(i);
                    String value = "churn-" + round;
                    api.client().configMaps().inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                            .edit(c -> {
                                c.getData().put("version", value);
                                return c;
                            });
                }
                runs.add(backup(kbackup, stored, dir, "churn-1pct"));
                Run first = runs.get(0);
                System.out.printf("%n%s%n| run | seconds | bytes uploaded | of the first | write requests | new objects | new packs |%n"
                        + "|---|---:|---:|---:|---:|---:|---:|%n", storeName);
                for (Run r : runs) {
                    System.out.printf("| %s | %.2f | %,d | %.2f %% | %.0f | %,d | %d |%n", r.name(), r.seconds(), r.bytes(),
                            100.0 * r.bytes() / first.bytes(), r.puts(), r.newObjects(), r.newPacks());
                }
                System.out.printf("repeat / first backup time: unchanged %.2f, churn %.2f%n", runs.get(1).seconds() / first.seconds(),
                        runs.get(2).seconds() / first.seconds());
                restore(kbackup, dir, "first");
                restore(kbackup, dir, "churn-1pct");
                restore(kbackup, dir, "first");
                restore(kbackup, dir, "churn-1pct");
            }
        }
    }

    private static Run backup(Kbackup kbackup, RestorePoints stored, Path dir, String name) throws Exception {
        Path metrics = dir.resolve(name + ".prom");
        long start = System.nanoTime();
        Kbackup.Result result = kbackup.with("--kbackup.metrics.file=" + metrics).run("backup", "--name", name);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.toString());
        }
        var storage = Stored.manifest(stored, name).storage();
        return new Run(name, seconds, (long) written(metrics), counter(metrics, "put"), storage.newObjects(), storage.newPacks());
    }

    /** Restores a restore point into an empty API double, timed as a whole command; prints objects per second. */
    private static void restore(Kbackup kbackup, Path dir, String name) throws Exception {
        try (ApiServer target = ApiServer.startIndexed()) {
            Path targetDir = Files.createDirectories(dir.resolve("target-" + name));
            long start = System.nanoTime();
            Kbackup.Result result = kbackup.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(targetDir))
                    .run("restore", "--from", name, "--name", "restore-" + name + "-" + UUID.randomUUID().toString().substring(0, 4),
                            "--include-namespaces", RESTORED);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (result.exitCode() != 0) {
                throw new IllegalStateException(result.toString());
            }
            int objects = target.client().configMaps().inAnyNamespace().list().getItems().size()
                    + target.client().secrets().inAnyNamespace().list().getItems().size();
            System.out.printf("restore of %s (%s): %.2f s, %,d config maps and secrets restored%n", name, RESTORED, seconds, objects);
        }
    }

    private static double written(Path metrics) throws Exception {
        Matcher m = Pattern.compile("^kbackup_storage_written_bytes_total(\\{[^}]*})? ([0-9.E]+)$", Pattern.MULTILINE)
                .matcher(Files.readString(metrics));
        if (!m.find()) {
            throw new IllegalStateException("no kbackup_storage_written_bytes_total in " + metrics);
        }
        return Double.parseDouble(m.group(2));
    }

    private static double counter(Path metrics, String operation) throws Exception {
        Matcher m = Pattern.compile("^kbackup_storage_operations_total\\{operation=\"" + operation + "\"[^}]*} ([0-9.E]+)$",
                Pattern.MULTILINE).matcher(Files.readString(metrics));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
