package jobs.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import jobs.store.ChunkCodec;
import jobs.store.RestorePoints;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * Writes each Spring Batch chunk as one compressed chunk blob. The blob's number is part of the step's restart
 * state, so a chunk written by a run that died before its state was committed is written again under the same
 * name by the resumed run: each object ends up in the restore point exactly once. The blob's metadata carries its
 * SHA-256 and per-type counts, which the manifest step collects.
 *
 * <p>A chunk is encoded and stored on a thread of its own while the next chunk is read, with at most one chunk in
 * flight: {@link #write} first waits for the previous one. The number of chunks known stored,
 * {@link #storedChunks()}, is what {@link StoredCheckpoint} lets the committed restart state claim.
 */
class ChunkWriter implements ItemStreamWriter<BackupItem> {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);
    static final String NEXT_CHUNK = "writer.nextChunk";
    static final String META_ITEMS = "items";
    static final String META_RESOURCES = "resources";

    private final RestorePoints restorePoints;
    private final String name;
    private final Progress progress;
    private final int compressionLevel;
    private int nextChunk;
    private ExecutorService uploader;
    private CompletableFuture<Void> inFlight;

    ChunkWriter(RestorePoints restorePoints, String name, Progress progress, int compressionLevel) {
        this.restorePoints = restorePoints;
        this.name = name;
        this.progress = progress;
        this.compressionLevel = compressionLevel;
    }

    @Override
    public void open(ExecutionContext context) {
        nextChunk = context.getInt(NEXT_CHUNK, 0);
        inFlight = null;
        uploader = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "kbackup-chunk-store");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void write(Chunk<? extends BackupItem> chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        awaitStored();
        List<Object> objects = new ArrayList<>(chunk.size());
        Map<String, Long> perType = new TreeMap<>();
        for (BackupItem item : chunk) {
            objects.add(item.object());
            perType.merge(item.type().qualifiedName(), 1L, Long::sum);
        }
        int index = nextChunk++;
        inFlight = CompletableFuture.runAsync(() -> store(index, objects, perType), uploader);
    }

    private void store(int index, List<Object> objects, Map<String, Long> perType) {
        byte[] bytes = ChunkCodec.encode(objects, compressionLevel);
        restorePoints.putChunk(name, index, bytes, Map.of(
                META_ITEMS, Integer.toString(objects.size()),
                META_RESOURCES, encodeCounts(perType)));
        perType.forEach(progress::add);
    }

    /** Waits for the chunk in flight, if any; its failure is thrown here, as the synchronous store would have. */
    void awaitStored() {
        CompletableFuture<Void> upload = inFlight;
        if (upload == null) {
            return;
        }
        inFlight = null;
        try {
            upload.get();
        } catch (ExecutionException e) {
            inFlight = upload;
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            inFlight = upload;
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a chunk of " + name, e);
        }
    }

    /** How many chunks, from the first, are known to be stored: all handed out but the one still in flight. */
    int storedChunks() {
        CompletableFuture<Void> upload = inFlight;
        boolean stored = upload == null || upload.isDone() && !upload.isCompletedExceptionally();
        return stored ? nextChunk : nextChunk - 1;
    }

    @Override
    public void close() {
        try {
            awaitStored();
        } catch (RuntimeException e) {
            // The step has already failed or stopped with the state of the last stored chunk; this chunk is redone.
            log.debug("Chunk of {} in flight at close was not stored: {}", name, e.getMessage());
        } finally {
            if (uploader != null) {
                uploader.shutdownNow();
            }
            progress.finish();
        }
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(NEXT_CHUNK, nextChunk);
    }

    static String encodeCounts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
    }

    static Map<String, Long> decodeCounts(String text) {
        Map<String, Long> counts = new TreeMap<>();
        if (text != null && !text.isEmpty()) {
            for (String pair : text.split(";")) {
                int eq = pair.lastIndexOf('=');
                counts.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
            }
        }
        return counts;
    }
}
