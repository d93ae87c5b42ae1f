package jobs.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jobs.cli.Cli;

/**
 * Runs kbackup in-process exactly as {@code main} does (same argument split, same application start), against a
 * workspace of its own: a storage folder or Azurite container, an H2 job repository file and a kubeconfig.
 */
public final class Kbackup {

    private final List<String> config = new ArrayList<>();
    /** Another build's classes to run instead of this one's (a benchmark's baseline), or null. */
    private Path productClasses;

    private Kbackup(List<String> config) {
        this.config.addAll(config);
    }

    /** The same workspace, its children running another build's classes ({@code target/classes}) instead of these. */
    public Kbackup withProductClasses(Path classes) {
        Kbackup copy = new Kbackup(config);
        copy.productClasses = classes;
        return copy;
    }

    /** A workspace on the local-folder store under {@code dir}, talking to {@code api}. */
    public static Kbackup filesystem(Path dir, ApiServer api) {
        return new Kbackup(List.of(
                "--kbackup.storage.type=filesystem",
                "--kbackup.storage.filesystem.path=" + dir.resolve("backups"),
                "--kbackup.kube.kubeconfig=" + api.writeKubeconfig(dir),
                "--kbackup.kube.retry-interval=10ms",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"));
    }

    /** A workspace on a folder against the cluster of a kubeconfig (a real one, for the e2e profile). */
    public static Kbackup filesystem(Path dir, Path kubeconfig) {
        return new Kbackup(List.of(
                "--kbackup.storage.type=filesystem",
                "--kbackup.storage.filesystem.path=" + dir.resolve("backups"),
                "--kbackup.kube.kubeconfig=" + kubeconfig,
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"));
    }

    /** A workspace on Azurite, in a container of its own. */
    public static Kbackup azure(Path dir, ApiServer api, String container) {
        return new Kbackup(List.of(
                "--kbackup.storage.type=azure-blob",
                "--kbackup.storage.azure.connection-string=" + Azurite.shared().connectionString(),
                "--kbackup.storage.azure.container=" + container,
                "--kbackup.storage.azure.max-tries=2",
                "--kbackup.storage.azure.retry-delay=100ms",
                "--kbackup.kube.kubeconfig=" + api.writeKubeconfig(dir),
                "--kbackup.kube.retry-interval=10ms",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"));
    }

    /** The same workspace with more configuration. */
    public Kbackup with(String... properties) {
        Kbackup copy = new Kbackup(config);
        copy.productClasses = productClasses;
        for (String property : properties) {
            String key = property.substring(0, property.indexOf('=') + 1);
            copy.config.removeIf(p -> p.startsWith(key));
            copy.config.add(property);
        }
        return copy;
    }

    /** Starts kbackup in a child JVM with this workspace's configuration, for tests that kill it. */
    public Process spawn(String... args) throws java.io.IOException {
        return spawn(List.of("-Xmx256m"), args);
    }

    /** Like {@link #spawn(String...)}, with these JVM options (heap size, GC log) instead of {@code -Xmx256m}. */
    public Process spawn(List<String> jvmOptions, String... args) throws java.io.IOException {
        return spawn(java.util.Map.of(), jvmOptions, args);
    }

    /** Like {@link #spawn(List, String...)}, with these environment variables added (a pod's). */
    public Process spawn(java.util.Map<String, String> env, List<String> jvmOptions, String... args) throws java.io.IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", productClassPath(), "jobs.KbackupApplication"));
        command.addAll(List.of(args));
        command.addAll(config);
        Path log = java.nio.file.Files.createTempFile("kbackup-child-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        childLogs.put(process, log);
        return process;
    }

    /**
     * What the image runs: the product's classes (this build's, or those given to {@link #withProductClasses}) and its
     * compile and runtime dependencies, listed by the build in {@code target/runtime-classpath.txt}; no test jars.
     */
    private String productClassPath() throws java.io.IOException {
        Path dependencies = Path.of("target", "runtime-classpath.txt");
        if (!java.nio.file.Files.exists(dependencies)) {
            throw new IllegalStateException(dependencies.toAbsolutePath() + " is missing: run the tests through Maven, "
                    + "whose generate-test-resources phase writes it");
        }
        Path classes = productClasses != null ? productClasses : Path.of("target", "classes");
        return classes.toAbsolutePath() + java.io.File.pathSeparator + java.nio.file.Files.readString(dependencies).trim();
    }

    private static final java.util.Map<Process, Path> childLogs = new java.util.concurrent.ConcurrentHashMap<>();

    /** Everything a spawned child printed. */
    public Path childLog(Process process) {
        return childLogs.get(process);
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(config);
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * What a run printed and returned.
     *
     * @param exitCode process exit code
     * @param out      standard output
     * @param err      standard error
     */
    public record Result(int exitCode, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
