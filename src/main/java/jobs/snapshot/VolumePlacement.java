package jobs.snapshot;

import com.azure.resourcemanager.compute.models.DiskStorageAccountTypes;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import jobs.support.InvalidInputException;

/**
 * Where a restore puts the disks it makes from snapshots, when not where the backup found them: another disk SKU
 * for all of them, and source availability zones mapped to target zones (a target cluster in other zones). What
 * the backup recorded applies otherwise.
 *
 * @param diskSku     SKU for every restored disk, or null for each source disk's own
 * @param zoneMapping source zone to target zone, e.g. {@code 1 -> 2}
 */
public record VolumePlacement(String diskSku, Map<String, String> zoneMapping) {

    public static final VolumePlacement AS_RECORDED = new VolumePlacement(null, Map.of());
    /** The keys of a volume record's details that hold its source disk's SKU and zone. */
    static final String SKU = SnapshotDetails.SKU;
    static final String ZONE = SnapshotDetails.ZONE;
    private static final Pattern ZONE_NUMBER = Pattern.compile("[1-9]");

    public VolumePlacement {
        if (diskSku != null && DiskStorageAccountTypes.values().stream().noneMatch(t -> t.toString().equals(diskSku))) {
            throw new InvalidInputException("--disk-sku: '" + diskSku + "' is not a managed disk SKU ("
                    + String.join(", ", DiskStorageAccountTypes.values().stream().map(Object::toString).sorted().toList()) + ")");
        }
        zoneMapping = zoneMapping == null ? Map.of() : Map.copyOf(new TreeMap<>(zoneMapping));
        zoneMapping.forEach((from, to) -> {
            for (String zone : new String[] {from, to}) {
                if (zone == null || !ZONE_NUMBER.matcher(zone).matches()) {
                    throw new InvalidInputException("--zone-mapping: '" + zone + "' is not an availability zone (1, 2, 3)");
                }
            }
        });
    }

    /** The SKU of a disk restored from a volume with these recorded details (null: the provider's default). */
    public String sku(Map<String, String> recorded) {
        return diskSku != null ? diskSku : recorded.get(SKU);
    }

    /** The zone of a disk restored from a volume with these recorded details; null for a disk not pinned to one. */
    public String zone(Map<String, String> recorded) {
        String sku = sku(recorded);
        if (sku != null && sku.endsWith("_ZRS")) {
            return null; // zone-redundant: attachable in every zone
        }
        String zone = recorded.get(ZONE);
        return zone == null ? null : zoneMapping.getOrDefault(zone, zone);
    }

    /** For a restore's report: " (Premium_LRS, zone 2)", or nothing when the backup recorded neither. */
    public String describe(Map<String, String> recorded) {
        String sku = sku(recorded);
        String zone = zone(recorded);
        if (sku == null && zone == null) {
            return "";
        }
        return " (" + (sku == null ? "default SKU" : sku) + ", " + (zone == null ? "no zone" : "zone " + zone) + ")";
    }
}
