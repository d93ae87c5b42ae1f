package jobs.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Blobs as files below a root folder; metadata in a hidden sidecar file next to each blob. Every write goes to a
 * temporary file first and is moved into place, so a crash never leaves a torn blob. Hidden files (sidecars,
 * temporary files, locks) are not blobs.
 */
final class FilesystemBlobStore implements BlobStore {

    private static final String META_PREFIX = ".meta.";
    private static final String TEMP_PREFIX = ".tmp.";
    private static final String LOCK_PREFIX = ".lock.";
    /** One monitor per locked file: a JVM may hold a file lock once, so its own threads queue here first. */
    private static final Map<Path, Object> LOCAL_LOCKS = new ConcurrentHashMap<>();

    private final Path root;

    FilesystemBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) {
        write(key, metadata, temp -> Files.write(temp, content));
    }

    @Override
    public void putFile(String key, Path file, Map<String, String> metadata) {
        write(key, metadata, temp -> Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING));
    }

    /** How a blob's content gets into its temporary file. */
    private interface Content {
        void writeTo(Path temp) throws IOException;
    }

    private void write(String key, Map<String, String> metadata, Content content) {
        Path target = resolve(key);
        try {
            Files.createDirectories(target.getParent());
            if (!metadata.isEmpty()) {
                Properties props = new Properties();
                props.putAll(metadata);
                Path metaTemp = Files.createTempFile(target.getParent(), TEMP_PREFIX, null);
                try (OutputStream out = Files.newOutputStream(metaTemp)) {
                    props.store(out, null);
                }
                move(metaTemp, metaPath(target));
            } else {
                Files.deleteIfExists(metaPath(target));
            }
            Path temp = Files.createTempFile(target.getParent(), TEMP_PREFIX, null);
            content.writeTo(temp);
            move(temp, target);
        } catch (IOException e) {
            throw new StorageException("cannot write blob '" + key + "' to " + location() + ": " + e, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(Files.newInputStream(resolve(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read blob '" + key + "' from " + location() + ": " + e, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(Files.readAllBytes(resolve(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read blob '" + key + "' from " + location() + ": " + e, e);
        }
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        return get(key).map(content -> new Versioned(content, ChunkCodec.sha256(content)));
    }

    /**
     * Compare and replace under an exclusive lock on a hidden {@code .lock.<blob>} file beside the blob, which
     * other processes on the same folder (a CronJob's pod and a manual run sharing the volume) take too; the
     * version is the SHA-256 of the content, and the replace is the usual atomic move.
     */
    @Override
    public boolean putIfMatch(String key, byte[] content, Map<String, String> metadata, String version) {
        return ifMatch(key, version, () -> put(key, content, metadata));
    }

    @Override
    public boolean putIfMatch(String key, ByteBuffer content, Map<String, String> metadata, String version) {
        return ifMatch(key, version, () -> write(key, metadata, temp -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer view = content.duplicate();
                while (view.hasRemaining()) {
                    channel.write(view);
                }
            }
        }));
    }

    private boolean ifMatch(String key, String version, Runnable write) {
        Path target = resolve(key);
        Path lock = target.resolveSibling(LOCK_PREFIX + target.getFileName());
        synchronized (LOCAL_LOCKS.computeIfAbsent(lock, l -> new Object())) {
            try {
                Files.createDirectories(target.getParent());
                try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    Optional<byte[]> current = get(key);
                    boolean matches = version == null ? current.isEmpty()
                            : current.isPresent() && ChunkCodec.sha256(current.get()).equals(version);
                    if (!matches) {
                        return false;
                    }
                    write.run();
                    return true;
                }
            } catch (IOException e) {
                throw new StorageException("cannot write blob '" + key + "' to " + location() + ": " + e, e);
            }
        }
    }

    @Override
    public List<BlobEntry> list(String prefix) {
        Path start = startFolder(prefix);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<BlobEntry> entries = new ArrayList<>();
        try {
            // Another process may be writing here (temporary files come and go, a purge deletes): a file that vanishes
            // between the directory read and its attributes is skipped, and the walk goes on.
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attributes) throws IOException {
                    String key = keyOf(p);
                    if (attributes.isRegularFile() && !p.getFileName().toString().startsWith(".") && key.startsWith(prefix)) {
                        entries.add(new BlobEntry(key, attributes.size(), readMetadata(p)));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (NoSuchFileException e) {
            // the folder itself was deleted while listing: nothing left to list
        } catch (IOException e) {
            throw new StorageException("cannot list '" + prefix + "' in " + location() + ": " + e, e);
        }
        entries.sort(Comparator.comparing(BlobEntry::key));
        return entries;
    }

    @Override
    public List<String> children(String prefix) {
        Path folder = resolve(prefix.isEmpty() ? "." : prefix);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> stream = Files.list(folder)) {
            return stream.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new StorageException("cannot list '" + prefix + "' in " + location() + ": " + e, e);
        }
    }

    @Override
    public boolean delete(String key) {
        Path target = resolve(key);
        try {
            Files.deleteIfExists(metaPath(target));
            boolean existed = Files.deleteIfExists(target);
            pruneEmptyFolders(target.getParent());
            return existed;
        } catch (IOException e) {
            throw new StorageException("cannot delete blob '" + key + "' from " + location() + ": " + e, e);
        }
    }

    /**
     * Removes the folders a delete left empty, from the blob's own upwards. In the blob's own folder (and below it)
     * a metadata sidecar whose blob is gone counts as empty too and goes: a restore point half deleted by hand or by
     * a crash (a chunk removed, its sidecar left) is then removed whole, and no sidecar outlives its blob.
     */
    private void pruneEmptyFolders(Path folder) throws IOException {
        if (folder == null || !folder.startsWith(root) || folder.equals(root) || !clearOrphans(folder)) {
            return;
        }
        Path current = folder.getParent();
        while (current != null && current.startsWith(root) && !current.equals(root)) {
            try (Stream<Path> s = Files.list(current)) {
                if (s.findAny().isPresent()) {
                    return;
                }
            } catch (NoSuchFileException e) {
                return;
            }
            Files.deleteIfExists(current);
            current = current.getParent();
        }
    }

    /** Deletes orphan sidecars and emptied subfolders in {@code folder}, then the folder if empty; true if it went. */
    private boolean clearOrphans(Path folder) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(folder)) {
            entries = s.toList();
        } catch (NoSuchFileException e) {
            return true;
        }
        boolean empty = true;
        for (Path entry : entries) {
            String file = entry.getFileName().toString();
            if (Files.isDirectory(entry)) {
                empty &= clearOrphans(entry);
            } else if (file.startsWith(META_PREFIX) && !Files.exists(entry.resolveSibling(file.substring(META_PREFIX.length())))
                    || file.startsWith(LOCK_PREFIX) && !Files.exists(entry.resolveSibling(file.substring(LOCK_PREFIX.length())))) {
                Files.deleteIfExists(entry);
            } else {
                empty = false;
            }
        }
        if (empty) {
            Files.deleteIfExists(folder);
        }
        return empty;
    }

    @Override
    public String location() {
        return "folder " + root;
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key escapes the storage folder: " + key);
        }
        return p;
    }

    private Path startFolder(String prefix) {
        int slash = prefix.lastIndexOf('/');
        return slash < 0 ? root : resolve(prefix.substring(0, slash));
    }

    private String keyOf(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static Path metaPath(Path blob) {
        return blob.resolveSibling(META_PREFIX + blob.getFileName());
    }

    private static Map<String, String> readMetadata(Path blob) {
        Path meta = metaPath(blob);
        if (!Files.exists(meta)) {
            return Map.of();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> metadata = new TreeMap<>();
        props.forEach((k, v) -> metadata.put(k.toString(), v.toString()));
        return new LinkedHashMap<>(metadata);
    }
}
