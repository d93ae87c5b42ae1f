package jobs.velero;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import jobs.support.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the resources of a Velero backup tarball ({@code <name>.tar.gz}) as a stream, entry by entry, never unpacked:
 * each item once, in the copy of its preferred API version.
 *
 * <p>Velero's format 1.1 (Velero's {@code pkg/archive}, {@code output-file-format.md}): {@code metadata/version}
 * holds the format version; items are compact JSON at {@code resources/<resource[.group]>/namespaces/<ns>/<name>.json}
 * or {@code resources/<resource[.group]>/cluster/<name>.json}. The preferred version is written twice, there and
 * under {@code resources/<resource[.group]>/<version>-preferredversion/...}; with the API group versions feature,
 * other versions sit under {@code <version>/}. The first preferred copy of an item is taken, the second copy and
 * other versions are counted and skipped.
 *
 * <p>Damaged input is refused with {@link VeleroFormatException} naming the archive and the entry: a truncated
 * archive, a format version other than 1.x, JSON that does not parse or is not the object its path names, a path
 * outside {@code resources/} and {@code metadata/} or one that climbs out ({@code ..}), links.
 */
public final class VeleroArchive {

    /** The resources folder's items: resource folder, optional version folder, scope, file. */
    private static final Pattern ITEM = Pattern.compile(
            "resources/([^/]+)/(?:([^/]+)/)?(?:cluster|namespaces/([^/]+))/([^/]+)\\.json");
    private static final String PREFERRED = "-preferredversion";
    private static final String VERSION_ENTRY = "metadata/version";

    private VeleroArchive() {
    }

    /** One item: its resource folder (e.g. {@code deployments.apps}, {@code pods}), namespace (null: cluster-scoped). */
    public record Item(String groupResource, String namespace, String name, JsonNode object) {
    }

    /** What an archive held besides the items handed over. */
    public record Summary(String formatVersion, long items, long duplicateCopies, long otherVersions) {
    }

    /**
     * Hands every item of the archive to {@code items}, in archive order.
     *
     * @param source how to name the archive in messages (its path or blob)
     */
    public static Summary read(InputStream tarGz, String source, Consumer<Item> items) {
        Set<String> taken = new HashSet<>();
        String version = null;
        long count = 0;
        long duplicates = 0;
        long otherVersions = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(tarGz, 64 * 1024))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String path = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (path.startsWith("/") || ("/" + path + "/").contains("/../")) {
                    throw refuse(source, path, "the path leaves the archive");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                if (entry.isSymbolicLink() || entry.isLink() || !entry.isFile()) {
                    throw refuse(source, path, "links and special files are not part of Velero's format");
                }
                if (path.equals(VERSION_ENTRY)) {
                    version = new String(tar.readAllBytes(), StandardCharsets.UTF_8).trim();
                    if (!version.equals("1") && !version.startsWith("1.")) {
                        throw refuse(source, path, "format version '" + version + "' is not one this reads (1.x)");
                    }
                    continue;
                }
                if (path.startsWith("metadata/")) {
                    continue;
                }
                Matcher m = ITEM.matcher(path);
                if (!m.matches()) {
                    throw refuse(source, path, "not an item of Velero's resources/ layout");
                }
                String versionFolder = m.group(2);
                if (versionFolder != null && !versionFolder.endsWith(PREFERRED)) {
                    otherVersions++;
                    continue;
                }
                String key = m.group(1) + "/" + (m.group(3) == null ? "" : m.group(3)) + "/" + m.group(4);
                if (!taken.add(key)) {
                    duplicates++;
                    continue;
                }
                JsonNode object = parse(tar.readAllBytes(), source, path);
                String name = object.path("metadata").path("name").asText("");
                if (!name.equals(m.group(4)) || object.path("kind").asText("").isEmpty()
                        || object.path("apiVersion").asText("").isEmpty()) {
                    throw refuse(source, path, "the JSON is not a Kubernetes object named '" + m.group(4) + "'");
                }
                items.accept(new Item(m.group(1), m.group(3), name, object));
                count++;
            }
        } catch (VeleroFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new VeleroFormatException(source + ": cannot be read as a gzip tar archive (truncated or damaged): "
                    + e.getMessage(), e);
        }
        if (version == null) {
            throw new VeleroFormatException(source + ": no " + VERSION_ENTRY + ", so not a Velero backup tarball", null);
        }
        return new Summary(version, count, duplicates, otherVersions);
    }

    private static JsonNode parse(byte[] json, String source, String path) {
        try {
            JsonNode object = Json.mapper().readTree(json);
            if (object == null || !object.isObject()) {
                throw refuse(source, path, "not a JSON object");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw refuse(source, path, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw refuse(source, path, e.getMessage());
        }
    }

    private static VeleroFormatException refuse(String source, String path, String why) {
        return new VeleroFormatException(source + ": entry '" + path + "': " + why, null);
    }
}
