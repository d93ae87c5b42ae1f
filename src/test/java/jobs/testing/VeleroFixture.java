package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.Pluralize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import jobs.store.BlobStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Velero backups built the way Velero writes them, independently of kbackup's reader: {@code pkg/backup} writes each
 * item as compact JSON with sorted keys (Go marshals unstructured maps so) at
 * {@code resources/<resource[.group]>/{namespaces/<ns>,cluster}/<name>.json} and again under
 * {@code <version>-preferredversion/}, {@code metadata/version} holds 1.1.0, and Go's archive/tar writes PAX headers
 * for long and non-ASCII names; {@code pkg/persistence} puts {@code velero-backup.json}, the tarball and the gzip
 * JSON files beside it in {@code backups/<name>/}.
 */
public final class VeleroFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final List<Item> items = new ArrayList<>();
    private final Map<String, byte[]> extraEntries = new TreeMap<>();
    private final Map<String, JsonNode> sideFiles = new TreeMap<>();
    private String phase = "Completed";
    /** Velero's defaults, relative to now: taken six days ago, kept 30 days (its 720h TTL), so not expired yet. */
    private Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(6, ChronoUnit.DAYS);
    private Instant completed = started.plusSeconds(190);
    private Instant expiration = started.plus(30, ChronoUnit.DAYS);
    private ObjectNode spec = JsonNodeFactory.instance.objectNode();
    private boolean backupObject = true;

    private record Item(String groupResource, String version, String namespace, String name, JsonNode object, boolean preferred) {
    }

    private VeleroFixture(String name) {
        this.name = name;
    }

    public static VeleroFixture backup(String name) {
        return new VeleroFixture(name);
    }

    public String name() {
        return name;
    }

    /** An item in its preferred version, its resource folder from its kind (lower-case plural, as Velero's discovery has it). */
    public VeleroFixture item(JsonNode object) {
        return item(object, Pluralize.toPlural(object.path("kind").asText().toLowerCase()));
    }

    public VeleroFixture item(JsonNode object, String plural) {
        items.add(toItem(object, plural, true));
        return this;
    }

    /** A copy in a version that is not the preferred one, as the API group versions feature writes it. */
    public VeleroFixture otherVersion(JsonNode object, String plural) {
        items.add(toItem(object, plural, false));
        return this;
    }

    private static Item toItem(JsonNode object, String plural, boolean preferred) {
        String apiVersion = object.path("apiVersion").asText();
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        JsonNode meta = object.path("metadata");
        return new Item(group.isEmpty() ? plural : plural + "." + group, apiVersion.substring(slash + 1),
                meta.path("namespace").asText(null), meta.path("name").asText(), sorted(object), preferred);
    }

    public Instant started() {
        return started;
    }

    public Instant completed() {
        return completed;
    }

    public Instant expiration() {
        return expiration;
    }

    public VeleroFixture phase(String value) {
        this.phase = value;
        return this;
    }

    public VeleroFixture times(Instant start, Instant end, Instant expires) {
        this.started = start;
        this.completed = end;
        this.expiration = expires;
        return this;
    }

    public VeleroFixture spec(ObjectNode value) {
        this.spec = value;
        return this;
    }

    /** Leaves velero-backup.json out, as a downloaded tarball has none beside it. */
    public VeleroFixture withoutBackupObject() {
        this.backupObject = false;
        return this;
    }

    /** Any entry, as is: for damaged archives. */
    public VeleroFixture entry(String path, String content) {
        extraEntries.put(path, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** A gzip JSON file beside the tarball, {@code <name><suffix>}: the volume files. */
    public VeleroFixture sideFile(String suffix, JsonNode content) {
        sideFiles.put(suffix, content);
        return this;
    }

    /** An entry of {@code -volumeinfo.json.gz} for a native snapshot (Velero 1.13+). */
    public static ObjectNode nativeVolumeInfo(String pv, String namespace, String claim, String snapshotId, String volumeType, String az) {
        ObjectNode info = JSON.createObjectNode().put("pvcName", claim).put("pvcNamespace", namespace).put("pvName", pv)
                .put("backupMethod", "NativeSnapshot").put("snapshotDataMoved", false).put("skipped", false).put("result", "succeeded");
        info.putObject("nativeSnapshotInfo").put("snapshotHandle", snapshotId).put("volumeType", volumeType)
                .put("volumeAZ", az).put("iops", "").put("Phase", "Completed");
        return info;
    }

    /** An entry of {@code -volumesnapshots.json.gz} ({@code pkg/volume/snapshot.go}, its PV name under a Go field name). */
    public static ObjectNode nativeSnapshot(String backup, String pv, String diskName, String snapshotId, String volumeType, String az) {
        ObjectNode snapshot = JSON.createObjectNode();
        snapshot.putObject("spec").put("backupName", backup).put("backupUID", "0a1b").put("location", "default")
                .put("PersistentVolumeName", pv).put("providerVolumeID", diskName).put("volumeType", volumeType).put("volumeAZ", az);
        snapshot.putObject("status").put("providerSnapshotID", snapshotId).put("phase", "Completed");
        return snapshot;
    }

    public byte[] tarball() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, "metadata/version", "1.1.0".getBytes(StandardCharsets.UTF_8));
            for (Item item : items) {
                byte[] json = JSON.writeValueAsBytes(item.object());
                String scope = item.namespace() == null ? "cluster/" : "namespaces/" + item.namespace() + "/";
                if (item.preferred()) {
                    put(tar, "resources/" + item.groupResource() + "/" + scope + item.name() + ".json", json);
                    put(tar, "resources/" + item.groupResource() + "/" + item.version() + "-preferredversion/" + scope + item.name() + ".json", json);
                } else {
                    put(tar, "resources/" + item.groupResource() + "/" + item.version() + "/" + scope + item.name() + ".json", json);
                }
            }
            for (Map.Entry<String, byte[]> entry : extraEntries.entrySet()) {
                put(tar, entry.getKey(), entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The Backup object Velero uploads as velero-backup.json, status included. */
    public ObjectNode backupObject() {
        ObjectNode backup = JSON.createObjectNode().put("apiVersion", "velero.io/v1").put("kind", "Backup");
        backup.putObject("metadata").put("name", name).put("namespace", "velero");
        backup.set("spec", spec.deepCopy());
        ObjectNode status = backup.putObject("status").put("version", 1).put("formatVersion", "1.1.0").put("phase", phase)
                .put("startTimestamp", started.toString()).put("completionTimestamp", completed.toString())
                .put("expiration", expiration.toString());
        status.putObject("progress").put("totalItems", preferredItems()).put("itemsBackedUp", preferredItems());
        return backup;
    }

    private long preferredItems() {
        return items.stream().filter(Item::preferred).count();
    }

    /** Writes the backup into a storage location: {@code backups/<name>/} below {@code store}'s root. */
    public VeleroFixture writeTo(BlobStore store) {
        String folder = "backups/" + name + "/";
        try {
            if (backupObject) {
                store.put(folder + "velero-backup.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(backupObject()), Map.of());
            }
            store.put(folder + name + ".tar.gz", tarball(), Map.of());
            store.put(folder + name + "-resource-list.json.gz", gzip(resourceList()), Map.of());
            store.put(folder + name + "-logs.gz", gzip("time=\"" + started + "\" level=info msg=\"Backup completed\"\n"), Map.of());
            for (Map.Entry<String, JsonNode> file : sideFiles.entrySet()) {
                store.put(folder + name + file.getKey(), gzip(JSON.writeValueAsString(file.getValue())), Map.of());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** {@code <name>-resource-list.json.gz}: group version and kind to {@code namespace/name}, as Velero lists them. */
    private String resourceList() throws IOException {
        Map<String, TreeSet<String>> list = new TreeMap<>();
        for (Item item : items) {
            if (item.preferred()) {
                String key = item.object().path("apiVersion").asText() + "/" + item.object().path("kind").asText();
                list.computeIfAbsent(key, k -> new TreeSet<>()).add(item.namespace() == null ? item.name() : item.namespace() + "/" + item.name());
            }
        }
        return JSON.writeValueAsString(list);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void put(TarArchiveOutputStream tar, String path, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** The object with its keys sorted at every level, as Go's encoding/json writes a map. */
    static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            TreeSet<String> names = new TreeSet<>();
            node.fieldNames().forEachRemaining(names::add);
            for (String field : names) {
                copy.set(field, sorted(node.get(field)));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                copy.add(sorted(it.next()));
            }
            return copy;
        }
        return node;
    }
}
