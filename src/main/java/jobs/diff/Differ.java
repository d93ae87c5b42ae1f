package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.zjsonpatch.JsonDiff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import jobs.support.Json;

/**
 * Compares two sets of objects. One side is held, stripped of what a diff ignores, as compact JSON (the bytes of
 * an unchanged object are equal); the other is streamed past it, and only objects whose bytes differ are parsed
 * again and turned into a JSON Patch.
 */
public final class Differ {

    /** A side of a diff: every object it holds, with its key. */
    public interface Side {

        String describe();

        void forEach(BiConsumer<ObjectKey, ObjectNode> each);

        /** What this side could not read, once it was read. */
        default List<String> warnings() {
            return List.of();
        }
    }

    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final boolean includeStatus;

    public Differ(boolean includeStatus) {
        this.includeStatus = includeStatus;
    }

    public DiffResult compare(Side from, Side to) {
        Map<ObjectKey, byte[]> held = new TreeMap<>();
        from.forEach((key, object) -> held.put(key, bytes(Volatile.strip(object, includeStatus))));
        Map<String, Lists> byType = new TreeMap<>();
        to.forEach((key, object) -> {
            byte[] now = bytes(Volatile.strip(object, includeStatus));
            byte[] before = held.remove(key);
            if (before == null) {
                byType.computeIfAbsent(key.type(), t -> new Lists()).added.add(key.path());
            } else if (!Arrays.equals(before, now)) {
                JsonNode patch = JsonDiff.asJson(parse(before), parse(now));
                if (!patch.isEmpty()) {
                    byType.computeIfAbsent(key.type(), t -> new Lists()).changed.add(new DiffResult.Change(key.path(), patch));
                }
            }
        });
        held.keySet().forEach(key -> byType.computeIfAbsent(key.type(), t -> new Lists()).removed.add(key.path()));
        List<DiffResult.TypeChanges> types = new ArrayList<>();
        byType.forEach((type, lists) -> {
            lists.added.sort(null);
            lists.removed.sort(null);
            lists.changed.sort((a, b) -> a.object().compareTo(b.object()));
            types.add(new DiffResult.TypeChanges(type, lists.added, lists.removed, lists.changed));
        });
        List<String> warnings = new ArrayList<>(from.warnings());
        warnings.addAll(to.warnings());
        return new DiffResult(from.describe(), to.describe(), types, warnings);
    }

    private static final class Lists {
        final List<String> added = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        final List<DiffResult.Change> changed = new ArrayList<>();
    }

    /** Compact JSON with object fields sorted, so two equal objects give equal bytes whatever their field order. */
    private static byte[] bytes(JsonNode object) {
        try {
            return SORTED.writeValueAsBytes(SORTED.treeToValue(object, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
