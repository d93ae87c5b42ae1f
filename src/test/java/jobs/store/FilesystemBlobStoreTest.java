package jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path dir;

    @Override
    BlobStore store() {
        return new FilesystemBlobStore(dir);
    }

    /** A restore point half deleted out of band (a chunk removed, its sidecar left) is purged whole. */
    @Test
    void noSidecarOutlivesItsBlob() throws Exception {
        RestorePoints restorePoints = new RestorePoints(store());
        BlobStore store = store();
        store.put("backups/half/manifest.json", bytes("{}"), Map.of());
        store.put("backups/half/chunks/000000.jsonl.gz", bytes("a"), Map.of("sha256", "1"));
        store.put("backups/half/chunks/000001.jsonl.gz", bytes("b"), Map.of("sha256", "2"));
        Files.delete(dir.resolve("backups/half/chunks/000001.jsonl.gz"));
        assertThat(dir.resolve("backups/half/chunks/.meta.000001.jsonl.gz")).exists();

        restorePoints.deleteAll("half");

        assertThat(dir.resolve("backups")).doesNotExist();
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws Exception {
        store().put("a/b", bytes("x"), Map.of("k", "v"));
        store().put("a/b", bytes("y"), Map.of());
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).containsExactly("b");
        }
    }

    @Test
    void listingWhileAnotherProcessWritesAndDeletesSeesEveryStableBlob() throws Exception {
        BlobStore store = store();
        for (int i = 0; i < 50; i++) {
            store.put(String.format("rp/chunks/%03d", i), bytes("stable " + i), Map.of("n", Integer.toString(i)));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        // Writes go through temporary files beside the blobs and deletes remove files: what a backup or purge does.
        Thread writer = new Thread(() -> {
            for (int i = 0; running.get(); i++) {
                store.put("rp/chunks/busy-" + i % 7, bytes("x".repeat(1000)), Map.of("k", "v"));
                store.delete("rp/chunks/busy-" + (i + 3) % 7);
            }
        });
        writer.start();
        try {
            for (int round = 0; round < 300; round++) {
                assertThat(store.list("rp/chunks/").stream().map(BlobStore.BlobEntry::key).filter(k -> !k.contains("busy")))
                        .hasSize(50);
            }
        } finally {
            running.set(false);
            writer.join();
        }
    }
}
