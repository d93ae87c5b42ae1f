package jobs.velero;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import jobs.config.KbackupProperties;
import jobs.store.BlobStore;
import jobs.store.StoreConfiguration;
import jobs.support.InvalidInputException;
import jobs.support.Json;

/**
 * The files of one Velero backup ({@code pkg/persistence/object_store_layout.go}): {@code velero-backup.json},
 * {@code <name>.tar.gz} and the gzip JSON files beside it, in a storage location ({@code backups/<name>/}), in a
 * backup's own folder, or just a downloaded tarball. Everything is read through a {@link BlobStore}, so a local
 * folder and an Azure Blob container are read alike, and the tarball is streamed, never held.
 */
final class VeleroFiles {

    static final String BACKUPS = "backups/";
    static final String BACKUP_OBJECT = "velero-backup.json";

    private final BlobStore store;
    /** Key prefix of the backup's files in the store: {@code backups/<name>/}, or empty. */
    private final String folder;
    private final String name;
    private final String tarball;
    /** Where the backup's files are, for messages and the restore point's origin. */
    private final String where;
    /** What a file's name is appended to, in messages. */
    private final String filesAt;
    /** Imports from one location hold mostly the same objects: the next refers to the packs of the last. */
    private final String lineage;

    private VeleroFiles(BlobStore store, String folder, String name, String tarball, String where, String filesAt,
                        String lineage) {
        this.store = store;
        this.folder = folder;
        this.name = name;
        this.tarball = tarball;
        this.where = where;
        this.filesAt = filesAt;
        this.lineage = lineage;
    }

    /** The backup {@code source} names; bad input (nothing there, no name where one is needed) is refused. */
    static VeleroFiles of(VeleroLocation source, KbackupProperties.Storage storage) {
        if (source.prefix() != null) {
            BlobStore store = StoreConfiguration.sibling(storage, source.prefix());
            return inLocation(store, store.location(), requireName(source, "--velero-prefix " + source.prefix()));
        }
        Path path = Path.of(source.file()).toAbsolutePath().normalize();
        if (Files.isRegularFile(path)) {
            String file = path.getFileName().toString();
            if (!file.endsWith(".tar.gz")) {
                throw new InvalidInputException("--from-file " + source.file() + ": not a Velero backup tarball (<name>.tar.gz) "
                        + "nor a folder");
            }
            String name = file.substring(0, file.length() - ".tar.gz".length());
            return new VeleroFiles(StoreConfiguration.folder(path.getParent()), "", name, file, path.toString(),
                    path.getParent() + "/", "velero:" + path.getParent());
        }
        if (!Files.isDirectory(path)) {
            throw new InvalidInputException("--from-file " + source.file() + ": no such file or folder");
        }
        BlobStore store = StoreConfiguration.folder(path);
        if (Files.isDirectory(path.resolve("backups"))) {
            return inLocation(store, path.toString(), requireName(source, "--from-file " + source.file()));
        }
        // A backup's own folder: its name is in velero-backup.json, or in its one tarball.
        String name = source.backup();
        if (name == null) {
            VeleroFiles unnamed = new VeleroFiles(store, "", null, null, path.toString(), path + "/", null);
            name = unnamed.backupObject().map(o -> o.path("metadata").path("name").asText(null))
                    .orElseGet(() -> onlyTarball(path));
        }
        return new VeleroFiles(store, "", name, name + ".tar.gz", path.toString(), path + "/", "velero:" + path);
    }

    /** The names of the backups in the location {@code source} names. */
    static List<String> backups(VeleroLocation source, KbackupProperties.Storage storage) {
        BlobStore store;
        if (source.prefix() != null) {
            store = StoreConfiguration.sibling(storage, source.prefix());
        } else {
            Path path = Path.of(source.file());
            if (!Files.isDirectory(path.resolve("backups"))) {
                throw new InvalidInputException("--from-file " + source.file() + ": --all needs a Velero storage location's "
                        + "folder, with backups/ in it");
            }
            store = StoreConfiguration.folder(path);
        }
        return store.children(BACKUPS);
    }

    private static VeleroFiles inLocation(BlobStore store, String where, String name) {
        String folder = BACKUPS + name + "/";
        return new VeleroFiles(store, folder, name, name + ".tar.gz", where + " " + folder, where + " " + folder,
                "velero:" + where);
    }

    private static String requireName(VeleroLocation source, String option) {
        if (source.backup() == null) {
            throw new InvalidInputException(option + ": name the Velero backup with --name, or import all with --all");
        }
        return source.backup();
    }

    private static String onlyTarball(Path folder) {
        try (var files = Files.list(folder)) {
            List<String> tarballs = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".tar.gz")).toList();
            if (tarballs.size() != 1) {
                throw new InvalidInputException("--from-file " + folder + ": " + (tarballs.isEmpty() ? "no" : tarballs.size())
                        + " .tar.gz files and no " + BACKUP_OBJECT + "; name the backup with --name");
            }
            return tarballs.get(0).substring(0, tarballs.get(0).length() - ".tar.gz".length());
        } catch (IOException e) {
            throw new InvalidInputException("--from-file " + folder + ": cannot be read: " + e.getMessage());
        }
    }

    String name() {
        return name;
    }

    String where() {
        return where;
    }

    String lineage() {
        return lineage;
    }

    /** How messages name one of the backup's files. */
    String describe(String file) {
        return filesAt + file;
    }

    /** The tarball, streamed; a missing one is bad input. */
    InputStream openTarball() {
        return store.open(folder + tarball).orElseThrow(() -> new InvalidInputException(describeTarball()
                + ": no such file; is this a Velero backup?"));
    }

    String describeTarball() {
        return describe(tarball);
    }

    /** {@code velero-backup.json}, if the backup has one (a downloaded tarball has not). */
    Optional<JsonNode> backupObject() {
        try {
            return object(store, folder, BACKUP_OBJECT);
        } catch (IOException e) {
            throw new VeleroFormatException(describe(BACKUP_OBJECT) + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    /** One of the gzip JSON files beside the tarball ({@code <name><suffix>}), if there. */
    Optional<JsonNode> gzipJson(String suffix) {
        String file = name + suffix;
        Optional<InputStream> in = store.open(folder + file);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream gzip = new GZIPInputStream(in.get())) {
            return Optional.ofNullable(Json.mapper().readTree(gzip));
        } catch (IOException e) {
            throw new VeleroFormatException(describe(file) + ": not gzip JSON: " + e.getMessage(), e);
        }
    }

    private static Optional<JsonNode> object(BlobStore store, String folder, String file) throws IOException {
        Optional<byte[]> bytes = store.get(folder + file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(Json.mapper().readTree(bytes.get()));
    }
}
