package jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jobs.filter.Selection;
import jobs.store.Manifest.ItemError;
import jobs.testing.Stored;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest writes are conditional (Azure: If-Match on the ETag; a folder: compare and replace under a file lock),
 * so writers that change one manifest at once (a purge marking it Deleting, a backup finishing it) never lose each
 * other's changes: every one of many concurrent read-change-write updates is in the final manifest.
 */
class ConcurrentManifestWritersTest {

    private static final int WRITERS = 4;
    private static final int UPDATES = 15;

    @TempDir
    Path dir;

    @Test
    void noUpdateIsLostInAFolder() throws Exception {
        everyUpdateSurvives(Stored.filesystem(dir));
    }

    @Test
    void noUpdateIsLostInAzureBlob() throws Exception {
        everyUpdateSurvives(Stored.azure("writers-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    @Test
    void aSecondCreateOfTheSameRestorePointIsRefused() {
        RestorePoints store = Stored.filesystem(dir);
        Manifest first = Manifest.started("twice", Instant.now(), Instant.now(), "c", Selection.everything());

        assertThat(store.create(first)).isTrue();
        assertThat(store.create(first.withPhase(Phase.Failed))).isFalse();
        assertThat(store.find("twice").orElseThrow().phase()).isEqualTo(Phase.InProgress);
    }

    private static void everyUpdateSurvives(RestorePoints store) throws Exception {
        assertThat(store.create(Manifest.started("shared", Instant.now(), Instant.now(), "c", Selection.everything()))).isTrue();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Callable<Void>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(() -> {
                    for (int u = 0; u < UPDATES; u++) {
                        ItemError note = new ItemError("writer-" + writer, null, "update-" + u, "written");
                        store.update("shared", m -> withError(m, note));
                    }
                    return null;
                });
            }
            for (Future<Void> done : pool.invokeAll(writers)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.find("shared").orElseThrow().errors()).hasSize(WRITERS * UPDATES).doesNotHaveDuplicates();
    }

    private static Manifest withError(Manifest m, ItemError error) {
        List<ItemError> errors = new ArrayList<>(m.errors());
        errors.add(error);
        return new Manifest(m.formatVersion(), m.name(), m.phase(), m.startedAt(), m.completedAt(), m.expiresAt(), m.cluster(),
                m.selection(), m.itemCount(), m.resources(), m.chunks(), m.volumes(), errors, m.warnings(), m.hooks(), m.storage(), m.origin());
    }
}
