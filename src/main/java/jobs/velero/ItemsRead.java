package jobs.velero;

import java.util.Map;
import java.util.TreeMap;
import jobs.kube.ResourceType;

/**
 * What the import's items step has read so far, saved with its restart state and handed to the steps after it.
 *
 * @param items           items handed out (the position a resumed run skips to)
 * @param types           every type met, by {@code resource.group}
 * @param volumes         every PersistentVolume met, by name: its claim and driver
 * @param duplicateCopies second copies of items (Velero writes the preferred version twice), skipped
 * @param otherVersions   copies in versions other than the preferred one, skipped
 */
record ItemsRead(long items, Map<String, ResourceType> types, Map<String, BoundVolume> volumes, long duplicateCopies,
                 long otherVersions) {

    static final String CONTEXT_KEY = "import.items";

    ItemsRead {
        types = types == null ? Map.of() : new TreeMap<>(types);
        volumes = volumes == null ? Map.of() : new TreeMap<>(volumes);
    }

    static ItemsRead none() {
        return new ItemsRead(0, null, null, 0, 0);
    }

    /**
     * A PersistentVolume of the backup.
     *
     * @param namespace its claim's namespace, null when unbound
     * @param claim     its claim's name, null when unbound
     * @param driver    its CSI driver, or the in-tree plugin ({@code kubernetes.io/azure-disk})
     */
    record BoundVolume(String namespace, String claim, String driver) {
    }
}
