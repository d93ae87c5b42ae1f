package jobs.config;

/** A fleet member's overrides laid over the shared settings: each value the member sets wins, the rest are shared. */
final class MemberViews {

    private MemberViews() {
    }

    static KbackupProperties.Backup backup(KbackupProperties.Backup shared, Fleet.MemberSelection own) {
        if (own == null) {
            return shared;
        }
        return new KbackupProperties.Backup(shared.packObjects(), shared.packBytes(), shared.commitBytes(),
                shared.readAheadBytes(), shared.name(),
                shared.compressionLevel(), shared.uploadsInFlight(), shared.progressInterval(),
                or(own.includeNamespaces(), shared.includeNamespaces()), or(own.excludeNamespaces(), shared.excludeNamespaces()),
                or(own.includeResources(), shared.includeResources()), or(own.excludeResources(), shared.excludeResources()),
                or(own.selector(), shared.selector()), or(own.includeClusterResources(), shared.includeClusterResources()));
    }

    static KbackupProperties.Policy policy(KbackupProperties.Policy shared, Fleet.MemberPolicy own) {
        if (own == null) {
            return shared;
        }
        return new KbackupProperties.Policy(or(own.frequency(), shared.frequency()), or(own.time(), shared.time()),
                or(own.retention(), shared.retention()), or(own.keepLast(), shared.keepLast()), or(own.keepDaily(), shared.keepDaily()),
                or(own.keepWeekly(), shared.keepWeekly()), or(own.keepMonthly(), shared.keepMonthly()));
    }

    static KbackupProperties.Snapshots snapshots(KbackupProperties.Snapshots shared, Fleet.MemberSnapshots own) {
        if (own == null) {
            return shared;
        }
        KbackupProperties.AzureDisk azure = shared.azure();
        return new KbackupProperties.Snapshots(or(own.provider(), shared.provider()), shared.concurrency(), shared.timeout(),
                shared.pollInterval(),
                new KbackupProperties.AzureDisk(or(own.subscriptionId(), azure.subscriptionId()), or(own.resourceGroup(), azure.resourceGroup()),
                        or(own.tenantId(), azure.tenantId()), or(own.resourceManagerEndpoint(), azure.resourceManagerEndpoint()),
                        azure.credential()),
                new KbackupProperties.Csi(or(own.volumeSnapshotClass(), shared.csi().volumeSnapshotClass())));
    }

    private static <T> T or(T own, T shared) {
        return own != null ? own : shared;
    }
}
