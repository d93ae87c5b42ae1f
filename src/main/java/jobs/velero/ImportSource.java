package jobs.velero;

/**
 * Where a Velero backup is read from: a local file or folder, or a Velero storage location inside kbackup's own
 * storage (the same Azure Blob container or folder, below another prefix).
 *
 * @param file   a downloaded {@code <name>.tar.gz}, a backup's folder, or a storage location's folder; null for a prefix
 * @param prefix the storage location's prefix in kbackup's container or folder ("" for its root); null for a file
 * @param backup the Velero backup's name; may be null for a tarball or a backup's folder, which name it themselves
 */
public record ImportSource(String file, String prefix, String backup) {

    public static ImportSource file(String path, String backup) {
        return new ImportSource(path, null, backup);
    }

    public static ImportSource location(String prefix, String backup) {
        return new ImportSource(null, prefix, backup);
    }

    /** The same location, for another of its backups. */
    public ImportSource withBackup(String name) {
        return new ImportSource(file, prefix, name);
    }
}
