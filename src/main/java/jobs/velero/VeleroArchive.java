package jobs.velero;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
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
     * @param apiVersion    its apiVersion
     * @param kind          its kind
     * @param json          the object as stored, compact JSON on one line (re-written compactly if it was not)
     */
    public record Item(String groupResource, String namespace, String name, String apiVersion, String kind, byte[] json) {

        /** The whole object, parsed: checked well-formed already, so this only fails on a bug. */
        public JsonNode object() {
            try {
                return Json.mapper().readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
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
     * Reads the whole archive and checks every item, as {@link #read} would, without handing any over: the items'
     * JSON is checked on {@code threads} threads, so the check costs about what reading the archive does.
     */
    public static Summary check(InputStream tarGz, String source, int threads) {
        try (Reader reader = open(tarGz, source, false)) {
            return reader.checkAll(threads);
        }
    }

    /**
     * Reads the archive item by item, as asked.
     *
     * @param source how to name the archive in messages (its path or blob)
     */
    public static Reader open(InputStream tarGz, String source) {
        return open(tarGz, source, false);
    }

    /**
     * Reads an archive that a first pass found whole and well-formed: each item's JSON is read only as far as its
     * apiVersion, kind and name (Velero sorts keys, so they come first), not checked to its end again.
     */
    public static Reader openChecked(InputStream tarGz, String source) {
        return open(tarGz, source, true);
    }

    private static Reader open(InputStream tarGz, String source, boolean checked) {
        try {
            // Buffered after the inflater too: the tar reader asks for 512-byte records, one native inflate call each.
            return new Reader(new TarArchiveInputStream(new BufferedInputStream(new GZIPInputStream(tarGz, 64 * 1024), 64 * 1024)),
                    source, checked);
        } catch (IOException e) {
            throw new VeleroFormatException(source + ": cannot be read as a gzip tar archive (truncated or damaged): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The items of one archive, in archive order; closing it closes the stream it reads. A thread of its own inflates
     * and untars ahead, at most {@value #AHEAD_BYTES} bytes of items ahead, while the caller parses and stores: the
     * two halves of an import then take one core each.
     */
    public static final class Reader implements Closeable {

        private static final int AHEAD_BYTES = 8 * 1024 * 1024;
        private static final int CHECK_BATCH = 256;
        private static final int HANDOFF_BATCH = 64;

        private final String source;
        private final boolean checked;
        /** Batches of {@link Raw} entries, then one {@link End}: handed over in batches, as one wake-up per item costs. */
        private final BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(64);
        private final ArrayDeque<Raw> current = new ArrayDeque<>();
        private final Semaphore budget = new Semaphore(AHEAD_BYTES);
        private final Thread untar;
        private final TarArchiveInputStream tar;
        private long count;
        private End end;

        /** An item's entry, read but not parsed. */
        private record Raw(String groupResource, String namespace, String name, String path, byte[] json, int permits) {
        }

        /** The end of the archive, or the failure that ended the reading. */
        private record End(Summary summary, RuntimeException failure) {
        }

        private Reader(TarArchiveInputStream tar, String source, boolean checked) {
            this.tar = tar;
            this.source = source;
            this.checked = checked;
            this.untar = new Thread(new Untar(), "kbackup-velero-untar");
            untar.setDaemon(true);
            untar.start();
        }

        /** The next item, or null after the last one (when the archive is known whole and of a version this reads). */
        public Item next() {
            Raw raw = take();
            if (raw == null) {
                return null;
            }
            Header header = header(raw.json(), source, raw.path(), checked);
            if (!raw.name().equals(header.name()) || header.kind() == null || header.kind().isEmpty()
                    || header.apiVersion() == null || header.apiVersion().isEmpty()) {
                throw refuse(source, raw.path(), "the JSON is not a Kubernetes object named '" + raw.name() + "'");
            }
            try {
                return new Item(raw.groupResource(), raw.namespace(), raw.name(), header.apiVersion(), header.kind(),
                        header.oneLine() ? raw.json() : Json.mapper().writeValueAsBytes(Json.mapper().readTree(raw.json())));
            } catch (IOException e) {
                throw refuse(source, raw.path(), e.getMessage());
            }
        }

        /**
         * Checks every item to the end of the archive, on {@code threads} threads besides the untarring one, and
         * throws the first damage in archive order, if any: the check an import makes before it writes.
         */
        Summary checkAll(int threads) {
            ExecutorService validators = Executors.newFixedThreadPool(threads, r -> {
                Thread thread = new Thread(r, "kbackup-velero-check");
                thread.setDaemon(true);
                return thread;
            });
            ConcurrentSkipListMap<Long, RuntimeException> damage = new ConcurrentSkipListMap<>();
            List<Future<?>> batches = new ArrayList<>();
            try {
                List<Raw> batch = new ArrayList<>();
                Raw raw;
                while ((raw = take()) != null && damage.isEmpty()) {
                    batch.add(raw);
                    if (batch.size() == CHECK_BATCH) {
                        batches.add(validate(validators, batch, count - batch.size(), damage));
                        batch = new ArrayList<>();
                    }
                }
                batches.add(validate(validators, batch, count - batch.size(), damage));
                for (Future<?> done : batches) {
                    done.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VeleroFormatException(source + ": interrupted while checking", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                validators.shutdownNow();
            }
            if (!damage.isEmpty()) {
                throw damage.firstEntry().getValue();
            }
            return summary();
        }

        private Future<?> validate(ExecutorService validators, List<Raw> batch, long first, Map<Long, RuntimeException> damage) {
            return validators.submit(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    Raw raw = batch.get(i);
                    try {
                        Header header = header(raw.json(), source, raw.path(), false);
                        if (!raw.name().equals(header.name()) || header.kind() == null || header.kind().isEmpty()
                                || header.apiVersion() == null || header.apiVersion().isEmpty()) {
                            throw refuse(source, raw.path(), "the JSON is not a Kubernetes object named '" + raw.name() + "'");
                        }
                    } catch (RuntimeException e) {
                        damage.put(first + i, e);
                        return;
                    }
                }
            });
        }

        /** Passes over up to {@code n} items without parsing them, as a resumed import does; returns how many. */
        public long skip(long n) {
            long skipped = 0;
            while (skipped < n && take() != null) {
                skipped++;
            }
            return skipped;
        }

        /** What the archive held; complete once {@link #next} returned null. */
        public Summary summary() {
            Summary read = end == null ? null : end.summary();
            return read == null ? new Summary(null, count, 0, 0) : new Summary(read.formatVersion(), count, read.duplicateCopies(),
                    read.otherVersions());
        }

        @SuppressWarnings("unchecked")
        private Raw take() {
            while (current.isEmpty()) {
                if (end != null) {
                    if (end.failure() != null) {
                        throw end.failure();
                    }
                    return null;
                }
                Object next;
                try {
                    next = ahead.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new VeleroFormatException(source + ": interrupted while reading", e);
                }
                if (next instanceof End last) {
                    end = last;
                } else {
                    current.addAll((List<Raw>) next);
                }
            }
            Raw raw = current.poll();
            budget.release(raw.permits());
            count++;
            return raw;
        }

        @Override
        public void close() {
            untar.interrupt();
            try {
                tar.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The untarring half: decides entry by entry from paths alone, reads the items to hand over. */
        private final class Untar implements Runnable {

            private final Set<String> taken = new HashSet<>();
            private List<Raw> batch = new ArrayList<>(HANDOFF_BATCH);
            private String version;
            private long duplicates;
            private long otherVersions;

            @Override
            public void run() {
                End last;
                try {
                    TarArchiveEntry entry;
                    while ((entry = tar.getNextEntry()) != null) {
                        Raw raw = take(entry);
                        if (raw != null) {
                            batch.add(raw);
                            if (batch.size() == HANDOFF_BATCH) {
                                flush();
                            }
                        }
                    }
                    flush();
                    last = version == null
                            ? new End(null, new VeleroFormatException(source + ": no " + VERSION_ENTRY + ", so not a Velero backup tarball", null))
                            : new End(new Summary(version, 0, duplicates, otherVersions), null);
                } catch (VeleroFormatException e) {
                    last = new End(null, e);
                } catch (IOException e) {
                    last = new End(null, new VeleroFormatException(source + ": cannot be read as a gzip tar archive (truncated or damaged): "
                            + e.getMessage(), e));
                } catch (InterruptedException e) {
                    return; // closed by the reader
                } catch (RuntimeException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return; // the stream was closed under it
                    }
                    last = new End(null, new VeleroFormatException(source + ": cannot be read: " + e, e));
                }
                try {
                    ahead.put(last);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            private void flush() throws InterruptedException {
                if (!batch.isEmpty()) {
                    ahead.put(batch);
                    batch = new ArrayList<>(HANDOFF_BATCH);
                }
            }

            /** The entry's item, or null for an entry that is not one to hand over (a folder, metadata, another copy). */
            private Raw take(TarArchiveEntry entry) throws IOException, InterruptedException {
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
                int permits = (int) Math.min(Math.max(entry.getSize(), 1), AHEAD_BYTES);
                if (!budget.tryAcquire(permits)) {
                    flush(); // the budget may be held by this very batch
                    budget.acquire(permits);
                }
                return new Raw(m.group(1), m.group(3), m.group(4), path, tar.readAllBytes(), permits);
            }
        }
    }

    /** What an item's JSON says of itself, and whether it is on one line, as Velero writes it. */
    private record Header(String apiVersion, String kind, String name, boolean oneLine) {
    }

    /**
     * Checks an item's JSON is one well-formed object and reads its apiVersion, kind and name, streaming: no tree is
     * built. Of an item {@code checked} already, only as far as those three.
     */
    private static Header header(byte[] json, String source, String path, boolean checked) {
        String apiVersion = null;
        String kind = null;
        String name = null;
        try (JsonParser parser = Json.mapper().getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw refuse(source, path, "not a JSON object");
            }
            while ((apiVersion == null || kind == null || name == null || !checked) && parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("apiVersion") && value == JsonToken.VALUE_STRING) {
                    apiVersion = parser.getText();
                } else if (field.equals("kind") && value == JsonToken.VALUE_STRING) {
                    kind = parser.getText();
                } else if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String metaField = parser.currentName();
                        if (parser.nextToken() == JsonToken.VALUE_STRING && metaField.equals("name")) {
                            name = parser.getText();
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (!checked && parser.nextToken() != null) {
                throw refuse(source, path, "malformed JSON: more after the object");
            }
        } catch (JsonProcessingException e) {
            throw refuse(source, path, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw refuse(source, path, e.getMessage());
        }
        boolean oneLine = true;
        for (byte b : json) {
            if (b == '\n' || b == '\r') {
                oneLine = false;
                break;
            }
        }
        return new Header(apiVersion, kind, name, oneLine);
    }

    private static VeleroFormatException refuse(String source, String path, String why) {
        return new VeleroFormatException(source + ": entry '" + path + "': " + why, null);
    }
}
