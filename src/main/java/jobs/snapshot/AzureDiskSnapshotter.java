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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.store.Manifest.VolumeRecord;

/**
 * Incremental snapshots of Azure managed disks (CSI driver {@code disk.csi.azure.com} or the in-tree azureDisk
 * plugin) in a configured snapshot resource group, through azure-resourcemanager-compute. The SDK's retry policy
 * honours 429 Retry-After; long-running operations are polled at {@code kbackup.snapshots.poll-interval}.
 */
final class AzureDiskSnapshotter implements Snapshotter {

    static final String CSI_DRIVER = "disk.csi.azure.com";
    private static final Pattern DISK_ID = Pattern.compile(
            "(?i)/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/(disks|snapshots)/([^/]+)");
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
        return "azure-disk";
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
        String name = SnapshotNames.of(backupName, volume.persistentVolume(), MAX_NAME);
        Matcher disk = parse(volume.handle());
        String diskId = disk.group(0);
        SnapshotsClient snapshots = compute.serviceClient().getSnapshots();
        try {
            SnapshotInner existing = find(snapshots, name);
            if (existing != null && "Succeeded".equalsIgnoreCase(existing.provisioningState())) {
                return result(existing, diskId);
            }
            DiskInner source = compute.serviceClient().getDisks().getByResourceGroup(disk.group(2), disk.group(4));
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
            return result(poller.getFinalResult(), diskId);
        } catch (ManagementException e) {
            throw new SnapshotException("snapshot of disk " + diskId + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotException("interrupted while waiting to snapshot disk " + diskId, e);
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
    public String restoreVolume(String restoreName, VolumeRecord volume, String targetNamespace, Duration timeout) {
        String name = SnapshotNames.of(restoreName, volume.persistentVolume(), MAX_NAME);
        DisksClient disks = compute.serviceClient().getDisks();
        try {
            DiskInner existing = findDisk(disks, name);
            if (existing != null && "Succeeded".equalsIgnoreCase(existing.provisioningState())) {
                return existing.id();
            }
            DiskInner request = new DiskInner().withLocation(volume.details().get("region"))
                    .withCreationData(new CreationData().withCreateOption(DiskCreateOption.COPY)
                            .withSourceResourceId(volume.snapshotId()));
            request.withTags(Map.of("kbackup-restore", restoreName, "kbackup-pv", volume.persistentVolume(),
                    "kbackup-snapshot", volume.snapshotId()));
            SyncPoller<?, DiskInner> poller = disks.beginCreateOrUpdate(resourceGroup, name, request).setPollInterval(pollInterval);
            PollResponse<?> last = poller.waitForCompletion(timeout);
            if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                throw new SnapshotException("disk " + name + " from snapshot " + volume.snapshotId() + " ended " + last.getStatus());
            }
            return poller.getFinalResult().id();
        } catch (ManagementException e) {
            throw new SnapshotException("disk from snapshot " + volume.snapshotId() + " failed: " + describe(e), e);
        }
    }

    private DiskInner findDisk(DisksClient disks, String name) {
        try {
            return disks.getByResourceGroup(resourceGroup, name);
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

    private static SnapshotResult result(SnapshotInner snapshot, String diskId) {
        return new SnapshotResult(snapshot.id(), Map.of("snapshotName", snapshot.name(), "sourceDisk", diskId,
                "region", snapshot.location()));
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
