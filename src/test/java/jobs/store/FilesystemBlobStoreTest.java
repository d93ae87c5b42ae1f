package jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
}
