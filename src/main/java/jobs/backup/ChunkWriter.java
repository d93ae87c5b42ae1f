package jobs.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jobs.store.ChunkCodec;
import jobs.store.RestorePoints;
import jobs.support.Progress;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * Writes each Spring Batch chunk as one compressed chunk blob. The blob's number is part of the step's restart
 * state and is only advanced when the chunk commits, so a chunk written by a run that died before its commit is
 * written again under the same name by the resumed run: each object ends up in the restore point exactly once.
 * The blob's metadata carries its SHA-256 and per-type counts, which the manifest step collects.
 */
class ChunkWriter implements ItemStreamWriter<BackupItem> {

    static final String NEXT_CHUNK = "writer.nextChunk";
    static final String META_ITEMS = "items";
    static final String META_RESOURCES = "resources";

    private final RestorePoints restorePoints;
    private final String name;
    private final Progress progress;
    private final int compressionLevel;
    private int nextChunk;

    ChunkWriter(RestorePoints restorePoints, String name, Progress progress, int compressionLevel) {
        this.restorePoints = restorePoints;
        this.name = name;
        this.progress = progress;
        this.compressionLevel = compressionLevel;
    }

    @Override
    public void open(ExecutionContext context) {
        nextChunk = context.getInt(NEXT_CHUNK, 0);
    }

    @Override
    public void write(Chunk<? extends BackupItem> chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        List<Object> objects = new ArrayList<>(chunk.size());
        Map<String, Long> perType = new TreeMap<>();
        for (BackupItem item : chunk) {
            objects.add(item.object());
            perType.merge(item.type().qualifiedName(), 1L, Long::sum);
        }
        byte[] bytes = ChunkCodec.encode(objects, compressionLevel);
        restorePoints.putChunk(name, nextChunk, bytes, Map.of(
                META_ITEMS, Integer.toString(objects.size()),
                META_RESOURCES, encodeCounts(perType)));
        nextChunk++;
        perType.forEach(progress::add);
    }

    @Override
    public void close() {
        progress.finish();
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
