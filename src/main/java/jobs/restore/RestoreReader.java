package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jobs.kube.ResourceType;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads a restore point type by type in the plan's order, opening only the chunks that hold the current type
 * (one chunk in memory at a time). Its position, kept in the step's execution context, is the type, the chunk and
 * how many of that type's objects of the chunk were handed out, so a resumed restore continues where it stopped.
 */
class RestoreReader implements ItemStreamReader<RestoreItem> {

    static final String TYPE = "reader.type";
    static final String CHUNK = "reader.chunk";
    static final String OFFSET = "reader.offset";

    private final RestorePoints restorePoints;
    private final Manifest manifest;
    private final RestorePlan plan;

    private int typeIndex;
    private int chunkPosition;
    private int offset;
    private List<ObjectNode> current;

    RestoreReader(RestorePoints restorePoints, Manifest manifest, RestorePlan plan) {
        this.restorePoints = restorePoints;
        this.manifest = manifest;
        this.plan = plan;
    }

    @Override
    public void open(ExecutionContext context) {
        typeIndex = context.getInt(TYPE, 0);
        chunkPosition = context.getInt(CHUNK, 0);
        offset = context.getInt(OFFSET, 0);
        current = null;
    }

    @Override
    public RestoreItem read() {
        while (typeIndex < plan.types().size()) {
            ResourceType type = plan.types().get(typeIndex);
            List<Integer> chunks = plan.chunks().get(typeIndex);
            if (chunkPosition >= chunks.size()) {
                typeIndex++;
                chunkPosition = 0;
                offset = 0;
                current = null;
                continue;
            }
            if (current == null) {
                current = load(type, manifest.chunks().get(chunks.get(chunkPosition)));
            }
            if (offset < current.size()) {
                return new RestoreItem(type, current.get(offset++));
            }
            chunkPosition++;
            offset = 0;
            current = null;
        }
        return null;
    }

    /** The objects of {@code type} in one chunk, checked against the manifest's SHA-256. */
    private List<ObjectNode> load(ResourceType type, Manifest.ChunkRef chunk) {
        List<ObjectNode> objects = new ArrayList<>();
        try (ChunkCodec.Objects all = restorePoints.objects(manifest.name(), chunk)) {
            while (all.hasNext()) {
                JsonNode o = all.next();
                if (o.path("kind").asText().equals(type.kind()) && group(o.path("apiVersion").asText()).equals(type.group())) {
                    objects.add((ObjectNode) o);
                }
            }
        }
        return objects;
    }

    static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(TYPE, typeIndex);
        context.putInt(CHUNK, chunkPosition);
        context.putInt(OFFSET, offset);
    }
}
