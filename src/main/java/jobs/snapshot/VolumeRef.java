package jobs.snapshot;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;

/**
 * A persistent volume to snapshot, with the claim that selected it.
 *
 * @param persistentVolume PV name
 * @param namespace        namespace of the claim
 * @param claim            PVC name
 * @param driver           CSI driver name, or {@code kubernetes.io/azure-disk} for the in-tree plugin; null if neither
 * @param handle           CSI volume handle or in-tree disk URI (for Azure: the managed disk resource id)
 * @param capacity         PV capacity, e.g. {@code 8Gi}
 */
public record VolumeRef(String persistentVolume, String namespace, String claim, String driver, String handle,
                        String capacity) {

    public static final String IN_TREE_AZURE_DISK = "kubernetes.io/azure-disk";

    /** Reads the driver and handle out of a PV object. */
    @SuppressWarnings("unchecked")
    public static VolumeRef of(GenericKubernetesResource pv, String namespace, String claim) {
        Map<String, Object> spec = (Map<String, Object>) pv.getAdditionalProperties().getOrDefault("spec", Map.of());
        String driver = null;
        String handle = null;
        if (spec.get("csi") instanceof Map<?, ?> csi) {
            driver = (String) csi.get("driver");
            handle = (String) csi.get("volumeHandle");
        } else if (spec.get("azureDisk") instanceof Map<?, ?> azureDisk) {
            driver = IN_TREE_AZURE_DISK;
            handle = (String) azureDisk.get("diskURI");
        }
        String capacity = spec.get("capacity") instanceof Map<?, ?> c && c.get("storage") != null ? c.get("storage").toString() : null;
        return new VolumeRef(pv.getMetadata().getName(), namespace, claim, driver, handle, capacity);
    }
}
