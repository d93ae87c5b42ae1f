package jobs.snapshot;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.DisksClient;
import com.azure.resourcemanager.compute.fluent.SnapshotsClient;
import com.azure.resourcemanager.compute.fluent.models.DiskInner;
import com.azure.resourcemanager.compute.fluent.models.SnapshotInner;
import com.azure.resourcemanager.compute.models.CreationData;
import com.azure.resourcemanager.compute.models.DiskCreateOption;
import com.azure.resourcemanager.compute.models.DiskSku;
import com.azure.resourcemanager.compute.models.DiskStorageAccountTypes;
import com.azure.resourcemanager.compute.models.Encryption;
import com.azure.resourcemanager.compute.models.EncryptionType;
import com.azure.resourcemanager.compute.models.NetworkAccessPolicy;
import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.store.Manifest.VolumeRecord;
import jobs.support.Json;

/**
 * Incremental snapshots of Azure managed disks (CSI driver {@code disk.csi.azure.com} or the in-tree azureDisk
 * plugin) in a configured snapshot resource group, through azure-resourcemanager-compute. The SDK's retry policy
 * honours 429 Retry-After; long-running operations are polled at {@code kbackup.snapshots.poll-interval}.
 */
final class AzureDiskSnapshotter implements Snapshotter {

    static final String CSI_DRIVER = "disk.csi.azure.com";
    private static final Pattern DISK_ID = Pattern.compile(
            "(?i)/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/(disks|snapshots)/([^/]+)");
    // What a volume record keeps of its source disk.
    private static final String REGION = SnapshotDetails.REGION;
    private static final String SKU = VolumePlacement.SKU;
    private static final String SIZE_GB = "sizeGB";
    private static final String ZONE = VolumePlacement.ZONE;
    private static final String TAGS = "diskTags";
    private static final String ENCRYPTION_SET = "diskEncryptionSet";
    private static final String ENCRYPTION_TYPE = "encryptionType";
    private static final String NETWORK_ACCESS_POLICY = "networkAccessPolicy";
    private static final String DISK_ACCESS = "diskAccess";
    /** Azure resource names: at most 80 characters. */
    private static final int MAX_NAME = 80;

    private final ComputeManager compute;
    private final String resourceGroup;
    private final Duration pollInterval;
    private final DiskRateLimiter limiter;

    AzureDiskSnapshotter(ComputeManager compute, String resourceGroup, Duration pollInterval, DiskRateLimiter limiter) {
        this.compute = compute;
        this.resourceGroup = resourceGroup;
        this.pollInterval = pollInterval;
        this.limiter = limiter;
    }

    @Override
    public String provider() {
        return SnapshotDetails.AZURE_DISK;
    }

    @Override
    public Optional<String> unsupportedReason(VolumeRef volume) {
        boolean azureDisk = CSI_DRIVER.equals(volume.driver()) || VolumeRef.IN_TREE_AZURE_DISK.equals(volume.driver());
        if (!azureDisk) {
            return Optional.of("volume driver " + (volume.driver() == null ? "(none)" : volume.driver())
                    + " is not an Azure managed disk; the azure-disk provider cannot snapshot it");
        }
        if (volume.handle() == null || !DISK_ID.matcher(volume.handle()).find()) {
            return Optional.of("volume handle '" + volume.handle() + "' is not a managed disk resource id");
        }
        return Optional.empty();
    }

    @Override
    public SnapshotResult snapshot(String backupName, VolumeRef volume, Duration timeout) {
        return start(backupName, volume, timeout).awaitReady(timeout);
    }

    /**
     * Cut when ARM has accepted the PUT: an incremental snapshot captures the disk as it is when the request is
     * accepted, and only copying the changed blocks takes longer.
     */
    @Override
    public Cut start(String backupName, VolumeRef volume, Duration timeout) {
        return prepare(backupName, volume).start(timeout);
    }

    /** Finds the source disk and an existing snapshot of this backup (two ARM reads) before any freeze. */
    @Override
    public Prepared prepare(String backupName, VolumeRef volume) {
        String name = SnapshotNames.of(backupName, volume.persistentVolume(), MAX_NAME);
        Matcher disk = parse(volume.handle());
        String diskId = disk.group(0);
        SnapshotsClient snapshots = compute.serviceClient().getSnapshots();
        DiskInner source;
        try {
            source = findDisk(compute.serviceClient().getDisks(), disk.group(2), disk.group(4));
            SnapshotInner existing = find(snapshots, name);
            if (existing != null && "Succeeded".equalsIgnoreCase(existing.provisioningState())) {
                SnapshotResult done = result(existing, diskId, source);
                return timeout -> ignored -> done;
            }
        } catch (ManagementException e) {
            throw new SnapshotException("snapshot of disk " + diskId + " failed: " + describe(e), e);
        }
        if (source == null) {
            throw new SnapshotException("disk " + diskId + " does not exist");
        }
        return timeout -> {
            try {
                limiter.acquire(diskId);
                Map<String, String> tags = new LinkedHashMap<>();
                tags.put("kbackup-backup", backupName);
                tags.put("kbackup-pv", volume.persistentVolume());
                tags.put("kbackup-pvc", volume.claim());
                tags.put("kbackup-namespace", volume.namespace());
                tags.put("kbackup-source-disk", diskId);
                SnapshotInner request = new SnapshotInner().withLocation(source.location()).withIncremental(true)
                        .withCreationData(new CreationData().withCreateOption(DiskCreateOption.COPY).withSourceResourceId(diskId));
                request.withTags(tags);
                SyncPoller<?, SnapshotInner> poller = snapshots.beginCreateOrUpdate(resourceGroup, name, request)
                        .setPollInterval(pollInterval);
                return readyWithin -> awaitReady(poller, name, diskId, source, readyWithin);
            } catch (ManagementException e) {
                throw new SnapshotException("snapshot of disk " + diskId + " failed: " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotException("interrupted while waiting to snapshot disk " + diskId, e);
            }
        };
    }

    private SnapshotResult awaitReady(SyncPoller<?, SnapshotInner> poller, String name, String diskId, DiskInner source,
                                      Duration timeout) {
        try {
            PollResponse<?> last;
            try {
                last = poller.waitForCompletion(timeout);
            } catch (RuntimeException e) {
                if (e.getCause() instanceof java.util.concurrent.TimeoutException || e instanceof IllegalStateException) {
                    throw new SnapshotException("snapshot " + name + " of disk " + diskId + " was not ready within " + timeout, e);
                }
                throw e;
            }
            if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                throw new SnapshotException("snapshot " + name + " of disk " + diskId + " ended " + last.getStatus());
            }
            return result(poller.getFinalResult(), diskId, source);
        } catch (ManagementException e) {
            throw new SnapshotException("snapshot of disk " + diskId + " failed: " + describe(e), e);
        }
    }

    @Override
    public void delete(String snapshotId, Map<String, String> details) {
        Matcher id = parse(snapshotId);
        try {
            compute.serviceClient().getSnapshots().beginDelete(id.group(2), id.group(4)).setPollInterval(pollInterval)
                    .waitForCompletion();
        } catch (ManagementException e) {
            if (e.getResponse() == null || e.getResponse().getStatusCode() != 404) {
                throw new SnapshotException("delete of snapshot " + snapshotId + " failed: " + describe(e), e);
            }
        }
    }

    @Override
    public RestoredVolume restoreVolume(String restoreName, VolumeRecord volume, String targetNamespace,
                                        VolumePlacement placement, Duration timeout) {
        String name = SnapshotNames.of(restoreName, volume.persistentVolume(), MAX_NAME);
        DisksClient disks = compute.serviceClient().getDisks();
        Map<String, String> recorded = volume.details();
        try {
            // A snapshot imported from Velero's Azure plugin records no region: the snapshot itself knows it.
            String region = recorded.containsKey(REGION) ? recorded.get(REGION) : snapshotRegion(volume.snapshotId());
            DiskInner existing = findDisk(disks, resourceGroup, name);
            if (existing != null && "Succeeded".equalsIgnoreCase(existing.provisioningState())) {
                return restored(existing);
            }
            DiskInner request = new DiskInner().withLocation(region)
                    .withCreationData(new CreationData().withCreateOption(DiskCreateOption.COPY)
                            .withSourceResourceId(volume.snapshotId()));
            String sku = placement.sku(recorded);
            if (sku != null) {
                request.withSku(new DiskSku().withName(DiskStorageAccountTypes.fromString(sku)));
            }
            String zone = placement.zone(recorded);
            if (zone != null) {
                request.withZones(List.of(zone));
            }
            if (recorded.containsKey(SIZE_GB)) {
                request.withDiskSizeGB(Integer.valueOf(recorded.get(SIZE_GB)));
            }
            if (recorded.containsKey(ENCRYPTION_SET)) {
                request.withEncryption(new Encryption().withDiskEncryptionSetId(recorded.get(ENCRYPTION_SET))
                        .withType(EncryptionType.fromString(recorded.get(ENCRYPTION_TYPE))));
            }
            if (recorded.containsKey(NETWORK_ACCESS_POLICY)) {
                request.withNetworkAccessPolicy(NetworkAccessPolicy.fromString(recorded.get(NETWORK_ACCESS_POLICY)));
            }
            if (recorded.containsKey(DISK_ACCESS)) {
                request.withDiskAccessId(recorded.get(DISK_ACCESS));
            }
            Map<String, String> tags = new LinkedHashMap<>(readTags(recorded.get(TAGS)));
            tags.put("kbackup-restore", restoreName);
            tags.put("kbackup-pv", volume.persistentVolume());
            tags.put("kbackup-snapshot", volume.snapshotId());
            request.withTags(tags);
            SyncPoller<?, DiskInner> poller = disks.beginCreateOrUpdate(resourceGroup, name, request).setPollInterval(pollInterval);
            PollResponse<?> last = poller.waitForCompletion(timeout);
            if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                throw new SnapshotException("disk " + name + " from snapshot " + volume.snapshotId() + " ended " + last.getStatus());
            }
            return restored(poller.getFinalResult());
        } catch (ManagementException e) {
            throw new SnapshotException("disk from snapshot " + volume.snapshotId() + " failed: " + describe(e), e);
        }
    }

    private String snapshotRegion(String snapshotId) {
        Matcher id = parse(snapshotId);
        return compute.serviceClient().getSnapshots().getByResourceGroup(id.group(2), id.group(4)).location();
    }

    /** The zone a node needs to attach the disk, as topology labels spell it: region-zone. */
    private static RestoredVolume restored(DiskInner disk) {
        boolean pinned = disk.zones() != null && !disk.zones().isEmpty()
                && (disk.sku() == null || !disk.sku().name().toString().endsWith("_ZRS"));
        return new RestoredVolume(disk.id(), pinned ? disk.location().toLowerCase() + "-" + disk.zones().get(0) : null);
    }

    private static DiskInner findDisk(DisksClient disks, String group, String name) {
        try {
            return disks.getByResourceGroup(group, name);
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private SnapshotInner find(SnapshotsClient snapshots, String name) {
        try {
            return snapshots.getByResourceGroup(resourceGroup, name);
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The snapshot, and the properties of its source disk that a restore needs to make a disk that attaches where
     * the workload runs and is protected as the original was. The source may be gone when an earlier run's
     * snapshot is resumed: its own size and region are all there is then.
     */
    private static SnapshotResult result(SnapshotInner snapshot, String diskId, DiskInner source) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put(SnapshotDetails.SNAPSHOT_NAME, snapshot.name());
        details.put(SnapshotDetails.SOURCE_DISK, diskId);
        details.put(REGION, snapshot.location());
        if (snapshot.diskSizeGB() != null) {
            details.put(SIZE_GB, snapshot.diskSizeGB().toString());
        }
        if (source != null) {
            if (source.sku() != null && source.sku().name() != null) {
                details.put(SKU, source.sku().name().toString());
            }
            if (source.diskSizeGB() != null) {
                details.put(SIZE_GB, source.diskSizeGB().toString());
            }
            if (source.zones() != null && !source.zones().isEmpty()) {
                details.put(ZONE, source.zones().get(0));
            }
            if (source.tags() != null && !source.tags().isEmpty()) {
                details.put(TAGS, Json.write(new TreeMap<>(source.tags())));
            }
            if (source.encryption() != null && source.encryption().diskEncryptionSetId() != null) {
                details.put(ENCRYPTION_SET, source.encryption().diskEncryptionSetId());
                details.put(ENCRYPTION_TYPE, source.encryption().type().toString());
            }
            if (source.networkAccessPolicy() != null) {
                details.put(NETWORK_ACCESS_POLICY, source.networkAccessPolicy().toString());
            }
            if (source.diskAccessId() != null) {
                details.put(DISK_ACCESS, source.diskAccessId());
            }
        }
        return new SnapshotResult(snapshot.id(), details);
    }

    private static Map<String, String> readTags(String json) {
        return json == null ? Map.of() : Json.read(json, new TypeReference<Map<String, String>>() { });
    }

    private static Matcher parse(String id) {
        Matcher m = DISK_ID.matcher(id == null ? "" : id);
        if (!m.find()) {
            throw new SnapshotException("'" + id + "' is not an Azure compute resource id");
        }
        return m;
    }

    private static String describe(ManagementException e) {
        if (e.getValue() != null && e.getValue().getCode() != null) {
            return e.getValue().getCode() + ": " + e.getValue().getMessage();
        }
        return e.getMessage();
    }
}
