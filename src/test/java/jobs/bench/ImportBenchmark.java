package jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Importing a Velero backup: a tarball of the synthetic cluster's objects (written as Velero writes them, both
 * copies of each item, sorted keys), imported with {@code import-velero --from-file} in a child JVM with
 * {@code -Xmx256m} and the image's flags. The items step's rate is taken from the job repository (no JVM start, no
 * preflight pass); the whole command's wall time includes the preflight pass that reads the tarball once to refuse
 * damage before writing. Memory is the GC log's peaks: flat means the same at 20,000 and 100,000 items. The floor
 * is the tarball read as bytes and dropped (gunzip and untar only), in a child JVM with the same flags.
 * Sizes: {@code -Dbench.sizes=20000,100000}.
 */
final class ImportBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ImportBenchmark() {
    }

    static void run() throws Exception {
        List<String> rows = new ArrayList<>();
        for (String size : System.getProperty("bench.sizes", "20000,100000").split(",")) {
            int items = Integer.parseInt(size.trim());
            Path dir = Files.createTempDirectory("kbackup-bench-import-");
            Path tarball = dir.resolve("synthetic.tar.gz");
            write(tarball, items);
            double floor = floor(dir, tarball);
            try (ApiServer api = ApiServer.start()) {
                Kbackup kbackup = Kbackup.filesystem(dir, api);
                Path gcLog = dir.resolve("import-gc.log");
                Process process = kbackup.spawn(ChildJvm.options(gcLog), "import-velero", "--from-file", tarball.toString());
                ChildJvm jvm = ChildJvm.watch(process, gcLog);
                if (jvm.exitCode() != 0) {
                    throw new IllegalStateException("import exited " + jvm.exitCode() + ": " + Files.readString(kbackup.childLog(process)));
                }
                StepRecord step = StepRecord.of(dir, "import-velero", "items", "synthetic");
                double job = step.seconds();
                for (String other : List.of("open", "volumes", "finalize")) {
                    job += StepRecord.of(dir, "import-velero", other, "synthetic").seconds();
                }
                double check = checkSeconds(Files.readString(kbackup.childLog(process)));
                double work = check + job;
                rows.add(String.format("| %,d | %.1f MB | %.2f | %,.0f | %.2f | %.2f | %,.0f | %.1f | %.2f | %d | %d | %d |", items,
                        Files.size(tarball) / 1e6, step.seconds(), step.read() / step.seconds(), check, work, items / work,
                        jvm.wallSeconds(), floor, jvm.peakHeapMb(), jvm.peakLiveHeapMb(), jvm.peakRssKb() / 1024));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        System.out.println("\nImport of a Velero tarball (synthetic cluster objects, both copies of each), child JVM -Xmx256m, image flags");
        System.out.println("| items | tarball | items step s | items/s (step) | check pass s | check + job s | items/s (check + job) "
                + "| command wall s | floor s (gunzip+untar) | peak heap MB | max heap after GC MB | peak RSS MB |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
    }

    /** The preflight pass's seconds, from the line the launcher logs. */
    private static double checkSeconds(String log) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("whole and well-formed, in ([0-9.]+) s").matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("no check line in the import's log");
        }
        return Double.parseDouble(m.group(1));
    }

    /** The tarball Velero would write of {@code items} synthetic objects, streamed to a file. */
    private static void write(Path tarball, int items) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tarball), 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, "metadata/version", "1.1.0".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < items; i++) {
                HasMetadata object = SyntheticCluster.object(i);
                ObjectNode json = JSON.valueToTree(object);
                ((ObjectNode) json.path("metadata")).put("uid", UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)}).toString())
                        .put("resourceVersion", String.valueOf(1000 + i)).put("creationTimestamp", "2026-11-30T01:00:00Z");
                byte[] bytes = JSON.writeValueAsBytes(JSON.treeToValue(json, Object.class));
                String apiVersion = object.getApiVersion();
                String group = apiVersion.contains("/") ? "." + apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String folder = Pluralize.toPlural(object.getKind().toLowerCase()) + group;
                String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
                String path = "namespaces/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName() + ".json";
                put(tar, "resources/" + folder + "/" + path, bytes);
                put(tar, "resources/" + folder + "/" + version + "-preferredversion/" + path, bytes);
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, String path, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** Seconds to read the tarball as bytes and drop them, in a child JVM with the import's flags. */
    private static double floor(Path dir, Path tarball) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ChildJvm.options(dir.resolve("floor-gc.log")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ImportBenchmark.class.getName() + "$Floor", tarball.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("floor failed: " + out);
        }
        return Double.parseDouble(out.substring(out.lastIndexOf('\n') + 1));
    }

    /** The floor's child: gunzip and untar, every byte read and dropped; prints the seconds it took. */
    static final class Floor {
        public static void main(String[] args) throws IOException {
            long start = System.nanoTime();
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(Path.of(args[0]));
                 TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16))) {
                while (tar.getNextEntry() != null) {
                    while (tar.read(buffer) >= 0) {
                        // dropped
                    }
                }
            }
            System.out.println((System.nanoTime() - start) / 1e9);
        }
    }
}
