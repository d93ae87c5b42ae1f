package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.support.Json;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * The packs a backup refers to so far, each with the lines it holds, in the order first referred to: what becomes
 * the manifest's chunk list. Packs the backup wrote hold every line; packs of the base hold the lines of the
 * objects found unchanged. Saved in the resources step's context at each commit, as of the last stored one, so a
 * resumed run goes on from exactly what is stored.
 */
final class PackRefs {

    static final String CONTEXT_KEY = "writer.packs";

    private final Map<String, Ref> refs = new LinkedHashMap<>();
    private long logicalBytes;
    private long newObjects;

    /** One pack and what of it the restore point holds. */
    private static final class Ref {
        final String blob;
        final String sha256;
        final long bytes;
        final String keyId;
        final boolean written;
        /** Lines held; for a written pack every line, {@code lines} of them. */
        final BitSet held = new BitSet();
        final Map<String, Long> perType = new TreeMap<>();

        Ref(String blob, String sha256, long bytes, String keyId, boolean written) {
            this.blob = blob;
            this.sha256 = sha256;
            this.bytes = bytes;
            this.keyId = keyId;
            this.written = written;
        }
    }

    /** An object found unchanged at {@code line} of {@code pack}. */
    void reuse(Manifest.ChunkRef pack, int line, String type, long length) {
        Ref ref = refs.computeIfAbsent(pack.blob(), b -> new Ref(b, pack.sha256(), pack.bytes(), pack.keyId(), false));
        if (!ref.held.get(line)) {
            ref.held.set(line);
            ref.perType.merge(type, 1L, Long::sum);
            logicalBytes += length;
        }
    }

    /**
     * A pack this backup stored (or found stored already under its address), holding {@code lines} objects.
     *
     * @param written whether this backup wrote it, counted as new bytes
     */
    void stored(Packs.Stored pack, int lines, Map<String, Long> perType, long rawBytes) {
        Ref ref = refs.computeIfAbsent(pack.blob(), b -> new Ref(b, pack.sha256(), pack.bytes(), pack.keyId(), pack.written()));
        ref.held.set(0, lines);
        ref.perType.clear();
        ref.perType.putAll(perType);
        logicalBytes += rawBytes;
        newObjects += lines;
    }

    /** The manifest's chunk list: every pack with the lines held, as ranges where not every line is. */
    List<Manifest.ChunkRef> chunks() {
        List<Manifest.ChunkRef> chunks = new ArrayList<>();
        for (Ref ref : refs.values()) {
            chunks.add(new Manifest.ChunkRef(ref.blob, ref.sha256, ref.held.cardinality(), ref.bytes, ref.perType,
                    ref.keyId, ref.written ? null : Manifest.ChunkRef.ranges(ref.held)));
        }
        return chunks;
    }

    Manifest.Storage storage() {
        long referenced = refs.values().stream().mapToLong(r -> r.bytes).sum();
        long added = refs.values().stream().filter(r -> r.written).mapToLong(r -> r.bytes).sum();
        int packs = (int) refs.values().stream().filter(r -> r.written).count();
        return new Manifest.Storage(logicalBytes, referenced, added, packs, newObjects);
    }

    /** Saved form, in a step context. */
    record Saved(List<Manifest.ChunkRef> chunks, List<Boolean> written, long logicalBytes, long newObjects) {
    }

    /** What the packing step {@code step} of a job instance committed last, empty when it never committed. */
    static PackRefs committed(JobRepository jobRepository, JobInstance instance, String step) {
        StepExecution resources = jobRepository.getLastStepExecution(instance, step);
        if (resources == null || !resources.getExecutionContext().containsKey(CONTEXT_KEY)) {
            return new PackRefs();
        }
        return fromJson(resources.getExecutionContext().getString(CONTEXT_KEY));
    }

    String toJson() {
        List<Boolean> written = refs.values().stream().map(r -> r.written).toList();
        return Json.write(new Saved(chunks(), written, logicalBytes, newObjects));
    }

    static PackRefs fromJson(String json) {
        PackRefs refs = new PackRefs();
        if (json == null) {
            return refs;
        }
        Saved saved = Json.read(json, new TypeReference<Saved>() { });
        for (int i = 0; i < saved.chunks().size(); i++) {
            Manifest.ChunkRef chunk = saved.chunks().get(i);
            Ref ref = new Ref(chunk.blob(), chunk.sha256(), chunk.bytes(), chunk.keyId(), saved.written().get(i));
            ref.held.or(chunk.lines());
            ref.perType.putAll(chunk.resources());
            refs.refs.put(ref.blob, ref);
        }
        refs.logicalBytes = saved.logicalBytes();
        refs.newObjects = saved.newObjects();
        return refs;
    }

    /** Per-type counts over every pack. */
    Map<String, Long> counts() {
        Map<String, Long> counts = new HashMap<>();
        refs.values().forEach(r -> r.perType.forEach((k, v) -> counts.merge(k, v, Long::sum)));
        return counts;
    }
}
