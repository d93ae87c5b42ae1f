package jobs.velero;

/**
 * Where Velero backups are, for an import to read or an export to write: a local file or folder, or a Velero
 * storage location inside kbackup's own storage (the same Azure Blob container or folder, below another prefix),
 * and the one backup meant there.
 *
 * @param file   a downloaded {@code <name>.tar.gz}, a backup's folder, or a storage location's folder; null for a prefix
 * @param prefix the storage location's prefix in kbackup's container or folder ("" for its root); null for a file
 * @param backup the Velero backup's name; may be null for a tarball or a backup's folder, which name it themselves,
 *               and for an export's target
 */
public record VeleroLocation(String file, String prefix, String backup) {

    public static VeleroLocation file(String path, String backup) {
        return new VeleroLocation(path, null, backup);
    }

    public static VeleroLocation location(String prefix, String backup) {
        return new VeleroLocation(null, prefix, backup);
    }

    /** The same location, for another of its backups. */
    public VeleroLocation withBackup(String name) {
        return new VeleroLocation(file, prefix, name);
    }
}
