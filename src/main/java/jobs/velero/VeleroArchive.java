package jobs.velero;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /**
     * One item.
     *
     * @param groupResource its resource folder (e.g. {@code deployments.apps}, {@code pods})
     * @param namespace     its namespace, null when cluster-scoped
     * @param name          its name
     * @param object        the object, parsed
     * @param json          the object as stored, compact JSON on one line (re-written compactly if it was not)
     */
    public record Item(String groupResource, String namespace, String name, JsonNode object, byte[] json) {
    }

    /** What an archive held besides the items handed over. */
    public record Summary(String formatVersion, long items, long duplicateCopies, long otherVersions) {
    }

    /** Hands every item of the archive to {@code items}, in archive order. */
    public static Summary read(InputStream tarGz, String source, Consumer<Item> items) {
        try (Reader reader = open(tarGz, source)) {
            Item item;
            while ((item = reader.next()) != null) {
                items.accept(item);
            }
            return reader.summary();
        }
    }

    /**
     * Reads the archive item by item, as asked.
     *
     * @param source how to name the archive in messages (its path or blob)
     */
    public static Reader open(InputStream tarGz, String source) {
        try {
            return new Reader(new TarArchiveInputStream(new GZIPInputStream(tarGz, 64 * 1024)), source);
        } catch (IOException e) {
            throw new VeleroFormatException(source + ": cannot be read as a gzip tar archive (truncated or damaged): "
                    + e.getMessage(), e);
        }
    }

    /** The items of one archive, in archive order; closing it closes the stream it reads. */
    public static final class Reader implements Closeable {

        private final TarArchiveInputStream tar;
        private final String source;
        private final Set<String> taken = new HashSet<>();
        private String version;
        private long count;
        private long duplicates;
        private long otherVersions;
        private boolean ended;

        private Reader(TarArchiveInputStream tar, String source) {
            this.tar = tar;
            this.source = source;
        }

        /** The next item, or null after the last one (when the archive is known whole and of a version this reads). */
        public Item next() {
            return advance(true);
        }

        /** Passes over up to {@code n} items without parsing them, as a resumed import does; returns how many. */
        public long skip(long n) {
            long skipped = 0;
            while (skipped < n && advance(false) != null) {
                skipped++;
            }
            return skipped;
        }

        /** What the archive held; complete once {@link #next} returned null. */
        public Summary summary() {
            return new Summary(version, count, duplicates, otherVersions);
        }

        private Item advance(boolean parse) {
            if (ended) {
                return null;
            }
            try {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Item item = take(entry, parse);
                    if (item != null) {
                        count++;
                        return item;
                    }
                }
            } catch (VeleroFormatException e) {
                throw e;
            } catch (IOException e) {
                throw new VeleroFormatException(source + ": cannot be read as a gzip tar archive (truncated or damaged): "
                        + e.getMessage(), e);
            }
            ended = true;
            if (version == null) {
                throw new VeleroFormatException(source + ": no " + VERSION_ENTRY + ", so not a Velero backup tarball", null);
            }
            return null;
        }

        /** The entry's item, or null for an entry that is not one to hand over (a folder, metadata, another copy). */
        private Item take(TarArchiveEntry entry, boolean parse) throws IOException {
            String path = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
            if (path.startsWith("/") || ("/" + path + "/").contains("/../")) {
                throw refuse(source, path, "the path leaves the archive");
            }
            if (entry.isDirectory()) {
                return null;
            }
            if (entry.isSymbolicLink() || entry.isLink() || !entry.isFile()) {
                throw refuse(source, path, "links and special files are not part of Velero's format");
            }
            if (path.equals(VERSION_ENTRY)) {
                version = new String(tar.readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!version.equals("1") && !version.startsWith("1.")) {
                    throw refuse(source, path, "format version '" + version + "' is not one this reads (1.x)");
                }
                return null;
            }
            if (path.startsWith("metadata/")) {
                return null;
            }
            Matcher m = ITEM.matcher(path);
            if (!m.matches()) {
                throw refuse(source, path, "not an item of Velero's resources/ layout");
            }
            String versionFolder = m.group(2);
            if (versionFolder != null && !versionFolder.endsWith(PREFERRED)) {
                otherVersions++;
                return null;
            }
            String key = m.group(1) + "/" + (m.group(3) == null ? "" : m.group(3)) + "/" + m.group(4);
            if (!taken.add(key)) {
                duplicates++;
                return null;
            }
            if (!parse) {
                return new Item(m.group(1), m.group(3), m.group(4), null, null);
            }
            byte[] json = tar.readAllBytes();
            JsonNode object = parse(json, source, path);
            String name = object.path("metadata").path("name").asText("");
            if (!name.equals(m.group(4)) || object.path("kind").asText("").isEmpty()
                    || object.path("apiVersion").asText("").isEmpty()) {
                throw refuse(source, path, "the JSON is not a Kubernetes object named '" + m.group(4) + "'");
            }
            return new Item(m.group(1), m.group(3), name, object, oneLine(json, object));
        }

        @Override
        public void close() {
            try {
                tar.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Velero writes compact JSON; anything else (pretty-printed by hand) is written again on one line. */
    private static byte[] oneLine(byte[] json, JsonNode object) throws IOException {
        for (byte b : json) {
            if (b == '\n' || b == '\r') {
                return Json.mapper().writeValueAsBytes(object);
            }
        }
        return json;
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
