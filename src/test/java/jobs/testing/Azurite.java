package jobs.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The official Azure Storage emulator, installed by the build from the pinned npm lockfile
 * ({@code src/test/azurite}) and started once per test JVM on a free loopback port with a temporary folder.
 * {@link #stop()} and {@link #start()} let fault-injection tests take storage away and bring it back.
 */
public final class Azurite {

    private static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static Azurite instance;

    private final int port;
    private final Path folder;
    private Process process;

    private Azurite(int port, Path folder) {
        this.port = port;
        this.folder = folder;
    }

    /** The shared emulator, started on first use and stopped when the JVM exits. */
    public static synchronized Azurite shared() {
        if (instance == null) {
            try {
                instance = new Azurite(freePort(), Files.createTempDirectory("azurite"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance.start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path bin = Path.of("src/test/azurite/node_modules/.bin/azurite-blob").toAbsolutePath();
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is missing: the build installs it with 'npm ci' (run ./mvnw verify)");
        }
        try {
            process = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                    "--location", folder.toString(), "--skipApiVersionCheck", "--loose", "--disableTelemetry"))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder output = new StringBuilder();
        Process started = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains("successfully listens on")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "azurite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                stop();
                throw new IllegalStateException("Azurite did not start within 60 s:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops the emulator as an outage would, but gracefully: Azurite saves its blob metadata on close (otherwise
     * only every 5 s), and a forced kill would lose blobs it had acknowledged, which Azure never does. Closing
     * waits for requests in flight, so it is given time before it is forced.
     */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(45, TimeUnit.SECONDS)) {
                    System.err.println("Azurite did not close within 45 s; killing it (recent blobs may be lost)");
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Waits until the emulator has saved its blob metadata after {@code since}. Azurite keeps metadata in memory and
     * saves it every 5 s: in full-suite runs blobs written in the seconds before a stop were gone after the restart
     * although it closed gracefully, which Azure itself never does. Tests that stop it wait for this first.
     */
    public void awaitMetadataSavedAfter(Instant since) throws InterruptedException {
        Path db = folder.resolve("__azurite_db_blob__.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (Files.exists(db) && Files.getLastModifiedTime(db).toInstant().isAfter(since)) {
                    return;
                }
            } catch (IOException e) {
                // being rewritten; look again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Azurite did not save its metadata within 30 s");
            }
            Thread.sleep(100);
        }
    }

    /** CPU milliseconds the emulator has used so far, to tell its share of a benchmark from the code's. */
    public synchronized long cpuMillis() {
        return process == null ? 0 : ProcessCpu.millis(process.toHandle());
    }

    public String connectionString() {
        return connectionStringVia(port);
    }

    /** The connection string for reaching this emulator through a forwarder listening on {@code viaPort}. */
    public String connectionStringVia(int viaPort) {
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + viaPort + "/devstoreaccount1;";
    }

    public int port() {
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
