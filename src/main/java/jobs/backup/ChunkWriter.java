package jobs.backup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import jobs.store.ChunkCodec;
import jobs.store.RestorePoints;
import jobs.support.Futures;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;

/**
 * Writes each commit's objects as one compressed chunk blob. Objects are compressed as they are appended, so a chunk
 * is held compressed only. The blob's number is part of the step's restart state, so a chunk written by a run that
 * died before its state was committed is written again under the same name by the resumed run: each object ends up
 * in the restore point exactly once. The blob's metadata carries its SHA-256 and per-type counts, which the manifest
 * step collects.
 *
 * <p>Sealed chunks are stored on threads of their own while the next chunks are read, at most
 * {@code inFlightLimit} at a time: {@link #seal} first waits for the oldest when that many are on their way. Storage
 * latency then overlaps the listing instead of adding to it. The number of chunks known stored from the first,
 * {@link #storedChunks()}, is what {@link StoredCheckpoint} lets the committed restart state claim.
 */
class ChunkWriter implements ItemStream {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);
    static final String NEXT_CHUNK = "writer.nextChunk";
    static final String META_ITEMS = "items";
    static final String META_RESOURCES = "resources";
    static final String META_RESOURCES_IN_BLOB = "resourcesInBlob";
    /** Counts longer than this go to a blob of their own: with the SHA-256 and key id, metadata stays far below 8 KB. */
    static final int MAX_COUNTS_IN_METADATA = 2048;

    private final RestorePoints restorePoints;
    private final String name;
    private final Progress progress;
    private final int compressionLevel;
    private final int inFlightLimit;
    /** The chunks handed to the uploaders, oldest first; a failed one stays until the step ends. */
    private final Deque<Upload> inFlight = new ArrayDeque<>();
    private int nextChunk;
    private ExecutorService uploaders;
    /** The chunk being filled, compressed as it grows; null between commits. */
    private ChunkCodec.LineEncoder filling;
    private Map<String, Long> fillingCounts;

    private record Upload(int index, CompletableFuture<Void> done) {

        boolean stored() {
            return done.isDone() && !done.isCompletedExceptionally();
        }
    }

    ChunkWriter(RestorePoints restorePoints, String name, Progress progress, int compressionLevel, int inFlightLimit) {
        this.restorePoints = restorePoints;
        this.name = name;
        this.progress = progress;
        this.compressionLevel = compressionLevel;
        this.inFlightLimit = inFlightLimit;
    }

    @Override
    public void open(ExecutionContext context) {
        nextChunk = context.getInt(NEXT_CHUNK, 0);
        inFlight.clear();
        filling = null;
        uploaders = Executors.newFixedThreadPool(inFlightLimit, r -> {
            Thread thread = new Thread(r, "kbackup-chunk-store");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Appends an object to the chunk being filled. */
    void append(BackupItem item) {
        if (filling == null) {
            filling = new ChunkCodec.LineEncoder(compressionLevel);
            fillingCounts = new TreeMap<>();
        }
        filling.append(item.object().json());
        fillingCounts.merge(item.type().qualifiedName(), 1L, Long::sum);
    }

    /** Uncompressed bytes in the chunk being filled. */
    long fillingBytes() {
        return filling == null ? 0 : filling.rawBytes();
    }

    /** Closes the chunk being filled, if it holds anything, and hands it to the uploaders. */
    void seal() {
        if (filling == null) {
            return;
        }
        while (!inFlight.isEmpty() && (inFlight.size() >= inFlightLimit || inFlight.peekFirst().done().isDone())) {
            awaitOldest();
        }
        ChunkCodec.LineEncoder sealed = filling;
        Map<String, Long> perType = fillingCounts;
        filling = null;
        fillingCounts = null;
        int index = nextChunk++;
        inFlight.addLast(new Upload(index, CompletableFuture.runAsync(() -> store(index, sealed, perType), uploaders)));
    }

    private void store(int index, ChunkCodec.LineEncoder chunk, Map<String, Long> perType) {
        long items = chunk.lines();
        String counts = encodeCounts(perType);
        Map<String, String> metadata = new HashMap<>(Map.of(META_ITEMS, Long.toString(items)));
        if (counts.length() <= MAX_COUNTS_IN_METADATA) {
            metadata.put(META_RESOURCES, counts);
        } else {
            // Azure caps a blob's metadata at 8 KB: hundreds of types go to a blob of their own, stored first.
            restorePoints.putChunkCounts(name, index, counts);
            metadata.put(META_RESOURCES_IN_BLOB, "true");
        }
        restorePoints.putChunk(name, index, chunk.finish(), metadata);
        perType.forEach(progress::add);
    }

    /** The per-type counts of a stored chunk, from its metadata or the blob they overflowed into. */
    static Map<String, Long> counts(RestorePoints restorePoints, String name, int index, Map<String, String> metadata) {
        return decodeCounts(metadata.containsKey(META_RESOURCES_IN_BLOB) ? restorePoints.chunkCounts(name, index)
                : metadata.get(META_RESOURCES));
    }

    /** Waits for every chunk in flight; the first failure is thrown here, as the synchronous store would have. */
    void awaitStored() {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    private void awaitOldest() {
        Upload oldest = inFlight.peekFirst();
        Futures.await(oldest.done(), "storing chunk " + oldest.index() + " of " + name);
        inFlight.removeFirst();
    }

    /** How many chunks, from the first, are known to be stored: all up to the oldest one not stored yet. */
    int storedChunks() {
        for (Upload upload : inFlight) {
            if (!upload.stored()) {
                return upload.index();
            }
        }
        return nextChunk;
    }

    /** Lets every chunk in flight finish, stored or not, without throwing: for a step that has already ended. */
    void settle() {
        for (Upload upload : inFlight) {
            try {
                upload.done().join();
            } catch (RuntimeException e) {
                // Not stored: the committed state does not count it, and the resumed run writes it again.
                log.debug("Chunk {} of {} was not stored: {}", upload.index(), name, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        try {
            settle();
        } finally {
            inFlight.clear();
            if (uploaders != null) {
                uploaders.shutdownNow();
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
