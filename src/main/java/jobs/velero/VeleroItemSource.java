package jobs.velero;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;
import java.util.TreeMap;
import jobs.backup.BackupItem;
import jobs.backup.ItemSource;
import jobs.kube.ListedObject;
import jobs.kube.ResourceType;
import jobs.support.Json;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The items of a Velero tarball, for the import's packing step: streamed, each item once in its preferred version.
 * Its position is how many items it handed out; a resumed run reads the tarball again and passes over that many
 * without parsing them. It also notes every type and PersistentVolume it meets ({@link ItemsRead}).
 */
class VeleroItemSource implements ItemSource {

    private final VeleroFiles files;
    private VeleroArchive.Reader reader;
    private long items;
    private final Map<String, ResourceType> types = new TreeMap<>();
    private final Map<String, ItemsRead.BoundVolume> volumes = new TreeMap<>();
    private long duplicateCopies;
    private long otherVersions;
    private boolean exhausted;

    VeleroItemSource(VeleroFiles files) {
        this.files = files;
    }

    @Override
    public void open(ExecutionContext context) {
        ItemsRead read = context.containsKey(ItemsRead.CONTEXT_KEY)
                ? Json.read(context.getString(ItemsRead.CONTEXT_KEY), new TypeReference<ItemsRead>() { }) : ItemsRead.none();
        items = read.items();
        types.clear();
        types.putAll(read.types());
        volumes.clear();
        volumes.putAll(read.volumes());
        // The launcher's first pass found the tarball whole and well-formed.
        reader = VeleroArchive.openChecked(files.openTarball(), files.describeTarball());
        long skipped = reader.skip(items);
        if (skipped < items) {
            throw new VeleroFormatException(files.describeTarball() + ": holds " + skipped + " items, fewer than the "
                    + items + " this import had read before it stopped: the tarball changed", null);
        }
    }

    @Override
    public BackupItem read() {
        VeleroArchive.Item item = reader.next();
        if (item == null) {
            exhausted = true;
            VeleroArchive.Summary summary = reader.summary();
            duplicateCopies = summary.duplicateCopies();
            otherVersions = summary.otherVersions();
            return null;
        }
        items++;
        ResourceType type = type(item);
        types.putIfAbsent(type.qualifiedName(), type);
        if (type.qualifiedName().equals("persistentvolumes")) {
            volumes.put(item.name(), bound(item.object()));
        }
        ObjectMeta meta = new ObjectMeta();
        meta.setName(item.name());
        meta.setNamespace(item.namespace());
        // No volume name: an import selects nothing, so nothing reads it.
        return new BackupItem(type, new ListedObject(meta, null, item.json()));
    }

    /** The item's type: resource and group from its folder, version and kind from the object. */
    static ResourceType type(VeleroArchive.Item item) {
        String folder = item.groupResource();
        int dot = folder.indexOf('.');
        String apiVersion = item.apiVersion();
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return new ResourceType(dot < 0 ? "" : folder.substring(dot + 1), version, dot < 0 ? folder : folder.substring(0, dot),
                item.kind(), item.namespace() != null, null);
    }

    static ItemsRead.BoundVolume bound(JsonNode pv) {
        JsonNode spec = pv.path("spec");
        String driver = spec.path("csi").path("driver").asText(null);
        if (driver == null && spec.has("azureDisk")) {
            driver = "kubernetes.io/azure-disk";
        }
        return new ItemsRead.BoundVolume(spec.path("claimRef").path("namespace").asText(null),
                spec.path("claimRef").path("name").asText(null), driver);
    }

    @Override
    public boolean exhausted() {
        return exhausted;
    }

    @Override
    public void update(ExecutionContext context) {
        context.putString(ItemsRead.CONTEXT_KEY, Json.write(new ItemsRead(items, types, volumes, duplicateCopies, otherVersions)));
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
