package jobs.snapshot;

/**
 * What a snapshotter made for a restored volume.
 *
 * @param reference    the new Azure disk's resource id, or the name of the pre-provisioned VolumeSnapshot for CSI
 * @param topologyZone the zone a node must be in to attach it, as Kubernetes topology labels spell it
 *                     ({@code westeurope-2}), or null when it is not pinned to a zone (a regional or zone-redundant disk, a CSI claim)
 */
public record RestoredVolume(String reference, String topologyZone) {
}
