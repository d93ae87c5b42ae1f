package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import jobs.filter.ObjectSelector;
import jobs.filter.Selection;
import jobs.kube.ResourceType;
import jobs.restore.NamespaceMapper;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.RestorePoints;

/**
 * The objects of a restore point that a selection picks, read chunk by chunk (only the chunks holding a selected type),
 * with a namespace mapping applied when it is compared with a cluster it was restored into under one.
 */
public final class RestorePointSide implements Differ.Side {

    private final RestorePoints restorePoints;
    private final Manifest manifest;
    private final Selection selection;
    private final UnaryOperator<String> mapping;
    /** Lines of packs not to read, by blob: those the other side holds too, so the same content. */
    private final Map<String, BitSet> skipped;

    public RestorePointSide(RestorePoints restorePoints, Manifest manifest, Selection selection, UnaryOperator<String> mapping) {
        this(restorePoints, manifest, selection, mapping, Map.of());
    }

    private RestorePointSide(RestorePoints restorePoints, Manifest manifest, Selection selection, UnaryOperator<String> mapping,
                             Map<String, BitSet> skipped) {
        this.restorePoints = restorePoints;
        this.manifest = manifest;
        this.selection = selection;
        this.mapping = mapping;
        this.skipped = skipped;
    }

    /**
     * Two restore points to compare, each leaving out the lines of packs both hold: a line of a pack is the same
     * content wherever it is referred to, so what they share is unchanged and is not read at all. Two restore points
     * a day apart read only what changed between them, and the packs holding it.
     */
    public static List<RestorePointSide> pair(RestorePoints restorePoints, Manifest a, Manifest b, Selection selection) {
        Map<String, BitSet> inA = new HashMap<>();
        a.chunks().stream().filter(c -> Packs.isPack(c.blob())).forEach(c -> inA.merge(c.blob(), c.lines(), RestorePointSide::or));
        Map<String, BitSet> shared = new HashMap<>();
        for (Manifest.ChunkRef chunk : b.chunks()) {
            BitSet lines = inA.get(chunk.blob());
            if (lines != null) {
                BitSet both = chunk.lines();
                both.and(lines);
                shared.merge(chunk.blob(), both, RestorePointSide::or);
            }
        }
        return List.of(new RestorePointSide(restorePoints, a, selection, ns -> ns, shared),
                new RestorePointSide(restorePoints, b, selection, ns -> ns, shared));
    }

    private static BitSet or(BitSet x, BitSet y) {
        x.or(y);
        return x;
    }

    /** The types a restore point holds, at the versions it holds them. */
    public static List<ResourceType> types(Manifest manifest) {
        return manifest.resources().stream()
                .map(r -> new ResourceType(r.group(), r.version(), r.resource(), r.kind(), r.namespaced(), List.of())).toList();
    }

    @Override
    public String describe() {
        return manifest.name();
    }

    @Override
    public void forEach(BiConsumer<ObjectKey, ObjectNode> each) {
        List<ResourceType> stored = types(manifest);
        List<ResourceType> selected = Sides.types(stored, selection);
        Map<String, ResourceType> byKind = new HashMap<>();
        selected.forEach(t -> byKind.put(t.kind() + "." + t.group(), t));
        Set<String> names = new java.util.HashSet<>(selected.stream().map(ResourceType::qualifiedName).toList());
        ObjectSelector selector = new ObjectSelector(selection, stored);
        for (Manifest.ChunkRef chunk : manifest.chunks()) {
            if (!chunk.resources().isEmpty() && chunk.resources().keySet().stream().noneMatch(names::contains)) {
                continue;
            }
            BitSet skip = skipped.get(chunk.blob());
            if (skip != null) {
                BitSet lines = chunk.lines();
                lines.andNot(skip);
                if (lines.isEmpty()) {
                    continue;
                }
                chunk = chunk.holding(lines);
            }
            try (ChunkCodec.Objects objects = restorePoints.objects(manifest.name(), chunk)) {
                while (objects.hasNext()) {
                    ObjectNode object = (ObjectNode) objects.next();
                    String apiVersion = object.path("apiVersion").asText();
                    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                    ResourceType type = byKind.get(object.path("kind").asText() + "." + group);
                    if (type != null && Sides.selects(selector, type, object)) {
                        NamespaceMapper.map(type, object, mapping);
                        each.accept(Sides.key(type, object), object);
                    }
                }
            }
        }
    }
}
