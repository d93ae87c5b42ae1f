package jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pack is compressed between direct buffers so that the compressor never holds a heap array in a JNI critical
 * section: a young collection needed meanwhile would wait for it, and other threads' big allocations would go
 * straight into the old generation (bench/RESULTS.md, 2026-12-06). Measured in a child JVM, from its GC log: one
 * thread encodes packs while another allocates enough to collect every few milliseconds.
 */
class LineEncoderCollectionsTest {

    static final String ENCODER = "pack-encoder";

    @TempDir
    Path dir;

    @Test
    void noCollectionWaitsForTheEncoder() throws Exception {
        Path gcLog = dir.resolve("gc-jni.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Xmn8m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:gc,gc+jni=debug:file=" + gcLog,
                "-cp", System.getProperty("java.class.path"), EncodeWhileCollecting.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();

        List<String> log = Files.readAllLines(gcLog);
        assertThat(log.stream().filter(line -> line.contains("Pause Young"))).as("young collections").hasSizeGreaterThan(100);
        assertThat(log).as("collections held off by the encoder in a JNI critical section")
                .noneMatch(line -> line.contains("critical section") && line.contains("\"" + ENCODER + "\""));
    }

    /** The child: encodes 4 MB packs of incompressible lines on one thread while another allocates. */
    public static final class EncodeWhileCollecting {

        static volatile byte[] sink;
        static volatile boolean done;

        public static void main(String[] args) throws Exception {
            byte[] line = new byte[48 * 1024];
            Random random = new Random(7);
            for (int i = 0; i < line.length; i++) {
                line[i] = (byte) ('A' + random.nextInt(26));
            }
            Thread allocator = new Thread(() -> {
                while (!done) {
                    sink = new byte[256 * 1024];
                }
            }, "allocator");
            allocator.setDaemon(true);
            allocator.start();
            Thread encoder = new Thread(() -> {
                PackBuffer buffer = PackBuffer.direct(1024 * 1024);
                for (int n = 0; n < 400; n++) {
                    ChunkCodec.LineEncoder pack = new ChunkCodec.LineEncoder(6, buffer);
                    for (int i = 0; i < 4; i++) {
                        pack.append(line);
                    }
                    pack.finishInPlace();
                }
            }, ENCODER);
            encoder.start();
            encoder.join();
            done = true;
        }
    }
}
