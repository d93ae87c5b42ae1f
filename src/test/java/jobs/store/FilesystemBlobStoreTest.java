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
