package jobs.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    public RestorePointSide(RestorePoints restorePoints, Manifest manifest, Selection selection, UnaryOperator<String> mapping) {
        this.restorePoints = restorePoints;
        this.manifest = manifest;
        this.selection = selection;
        this.mapping = mapping;
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
            try (MappingIterator<JsonNode> objects = ChunkCodec.decode(restorePoints.readChunk(manifest.name(), chunk))) {
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
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
