package jobs.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The one configuration tree of kbackup. Every leaf binds from {@code --kbackup.x.y=...}, from application.yaml
 * or from an environment variable such as {@code KBACKUP_STORAGE_TYPE}. Validated when the program starts, before
 * anything is read or written.
 */
@Validated
@ConfigurationProperties("kbackup")
public record KbackupProperties(
        @Valid @NotNull @DefaultValue Storage storage,
        @Valid @NotNull @DefaultValue Kube kube,
        @Valid @NotNull @DefaultValue Backup backup,
        @Valid @NotNull @DefaultValue Policy policy,
        @Valid @NotNull @DefaultValue Snapshots snapshots,
        @Valid @NotNull @DefaultValue Restore restore,
        @Valid @NotNull @DefaultValue Metrics metrics,
        @Valid @NotNull @DefaultValue Encryption encryption,
        @Valid @NotNull @DefaultValue Run run,
        @Valid @NotNull @DefaultValue Hooks hooks,
        @Valid @NotNull @DefaultValue Fleet fleet) {

    /** The fleet member this process works for ({@code kbackup.fleet.member}), null for the one cluster of {@code kbackup.kube}. */
    public String member() {
        return fleet == null || fleet.member() == null || fleet.member().isBlank() ? null : fleet.member();
    }

    /**
     * These settings as fleet member {@code name} sees them: its restore points under {@code clusters/<name>/}, its
     * credentials, and the shared snapshot settings, selection and policy with its overrides. Restoring to another
     * member ({@code target}) takes that member's credentials and snapshot settings.
     */
    public KbackupProperties forMember(String name, String targetName) {
        Fleet.Member member = fleet.find(name).orElseThrow(() -> new jobs.support.InvalidInputException(fleet.unknown("--cluster", name)));
        Fleet.Member target = targetName == null || targetName.isBlank() ? member
                : fleet.find(targetName).orElseThrow(() -> new jobs.support.InvalidInputException(fleet.unknown("--to-cluster", targetName)));
        Storage memberStorage = new Storage(storage.type(), Fleet.prefix(storage.prefix(), name), storage.filesystem(), storage.azure());
        // A Secret is read from the hub with the shared credentials, so the shared kubeconfig stays for that.
        Kube targetKube = new Kube(target.kubeconfigSecret() != null ? kube.kubeconfig() : target.kubeconfig(), target.context(),
                target.kubeconfigSecret(), kube.pageSize(),
                kube.requestRetries(), kube.retryInterval(), kube.requestTimeout());
        return new KbackupProperties(memberStorage, targetKube, MemberViews.backup(backup, member.backup()),
                MemberViews.policy(policy, member.policy()), MemberViews.snapshots(snapshots, target.snapshots()), restore, metrics,
                encryption, run, hooks, new Fleet(fleet.clusters(), name, target.name(), fleet.rpoGrace(), fleet.parallelism(), fleet.runner(),
                fleet.kubernetes()));
    }

    /**
     * Hooks declared in configuration, in the shape of Velero's Backup and Restore specs ({@code spec.hooks.resources}),
     * beside the hooks pods declare by annotations. Checked when a job starts: a bad value is refused naming its key.
     */
    public record Hooks(@Valid @NotNull @DefaultValue BackupHooks backup, @Valid @NotNull @DefaultValue RestoreHooks restore) {
    }

    /** @param resources rules picking restored pods and workloads' pod templates by namespace and labels */
    public record RestoreHooks(List<RestoreHookResource> resources) {

        public RestoreHooks {
            resources = resources == null ? List.of() : List.copyOf(resources);
        }
    }

    /**
     * One rule, as Velero's {@code RestoreResourceHookSpec}: it picks restored pods, and unlike Velero the pod templates
     * of restored Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, by the pods' labels.
     *
     * @param name               for messages and records
     * @param includedNamespaces namespace globs, as backed up (before any mapping); all when empty
     * @param excludedNamespaces namespace globs left out
     * @param labelSelector      a label selector on the pods' labels
     * @param postHooks          each an {@code init} (init containers added) or an {@code exec} (run in the restored pods)
     */
    public record RestoreHookResource(String name, List<String> includedNamespaces, List<String> excludedNamespaces,
                                      String labelSelector, List<RestoreHookStep> postHooks) {
    }

    /** One of Velero's {@code postHooks}: {@code - init: {...}} or {@code - exec: {...}}. */
    public record RestoreHookStep(InitHookSpec init, RestoreExecSpec exec) {
    }

    /**
     * @param initContainers containers put first among the pod's init containers
     * @param timeout        a Go duration, checked and recorded; the kubelet runs init containers to their end
     */
    public record InitHookSpec(List<InitContainerSpec> initContainers, String timeout) {
    }

    /** The parts of a container an init hook sets. */
    public record InitContainerSpec(String name, String image, List<String> command, List<String> args,
                                    List<VolumeMountSpec> volumeMounts) {
    }

    public record VolumeMountSpec(String name, String mountPath, String subPath, Boolean readOnly) {
    }

    /**
     * @param container    the container; the pod's first when unset
     * @param onError      Fail or Continue (the default, as Velero's)
     * @param execTimeout  how long the command may run, 30s when unset
     * @param waitTimeout  how long to wait for the container to run (or be ready), 10m when unset, never forever
     * @param waitForReady wait for the container to be ready, not only running
     */
    public record RestoreExecSpec(String container, List<String> command, String onError, String execTimeout,
                                  String waitTimeout, Boolean waitForReady) {
    }

    /**
     * @param resources      rules picking pods by namespace and labels, each with pre and post hooks
     * @param withoutVolumes run the hooks of pods none of whose volumes is snapshotted too (pre, then post)
     * @param maxFreeze      the watchdog: how long pods stay frozen waiting for their snapshots to be cut; past it the
     *                       snapshots still uncut are recorded Failed and the post hooks run
     */
    public record BackupHooks(List<HookResource> resources, boolean withoutVolumes,
                              @DefaultValue("1m") Duration maxFreeze) {

        public BackupHooks {
            resources = resources == null ? List.of() : List.copyOf(resources);
            maxFreeze = maxFreeze == null ? Duration.ofMinutes(1) : maxFreeze;
        }

        @AssertTrue(message = "kbackup.hooks.backup.max-freeze must be positive")
        public boolean isMaxFreezePositive() {
            return !maxFreeze.isNegative() && !maxFreeze.isZero();
        }
    }

    /**
     * One rule, as Velero's {@code BackupResourceHookSpec}.
     *
     * @param name               for messages and records
     * @param includedNamespaces namespace globs; all when empty
     * @param excludedNamespaces namespace globs left out
     * @param labelSelector      a label selector on the pods
     * @param pre                hooks run before the pod's volumes are snapshotted
     * @param post               hooks run after the snapshots are cut
     */
    public record HookResource(String name, List<String> includedNamespaces, List<String> excludedNamespaces,
                               String labelSelector, List<HookStep> pre, List<HookStep> post) {
    }

    /** A hook, wrapped as in Velero's spec: {@code - exec: {container, command, onError, timeout}}. */
    public record HookStep(HookExec exec) {
    }

    /** @param timeout a Go duration with a unit ({@code 30s}); 30 s when unset */
    public record HookExec(String container, List<String> command, String onError, String timeout) {
    }

    /**
     * Who owns a running job, so that a run whose process died is recovered and a live one is never run twice.
     *
     * @param ownership     {@code lease}: a {@code coordination.k8s.io/v1} Lease per running job, renewed while it
     *                      lives, so any pod can tell a dead run at once; {@code process}: host and process id, with
     *                      {@link #STALE_AFTER} of silence for a run on another host; {@code auto} (the default): a
     *                      lease when running in a pod, the process rule otherwise
     * @param leaseNamespace namespace of the leases; the pod's own (or the kubeconfig context's) when unset
     * @param leaseDuration  how long a lease outlives its last renewal; it is renewed three times as often
     * @param holder         this process's name in leases; the pod name (POD_NAME, HOSTNAME) when unset
     */
    public record Run(
            @NotNull @DefaultValue("auto") Ownership ownership,
            @Pattern(regexp = "^$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", message = "must be a namespace name") String leaseNamespace,
            @NotNull @DefaultValue("60s") Duration leaseDuration,
            String holder) {

        /** Another host's run, recorded by host and process, counts as dead after this long without a commit. */
        public static final Duration STALE_AFTER = Duration.ofMinutes(15);

        @AssertTrue(message = "kbackup.run.lease-duration must be between 3s and 10m")
        public boolean isLeaseDurationInRange() {
            return leaseDuration.compareTo(Duration.ofSeconds(3)) >= 0 && leaseDuration.compareTo(Duration.ofMinutes(10)) <= 0;
        }
    }

    public enum Ownership { AUTO, LEASE, PROCESS }

    /**
     * Client-side encryption of chunk blobs (AES-256-GCM) and authentication of manifests (HMAC-SHA256), with a
     * keyring so that keys can be rotated.
     *
     * @param keys                  keys by id, each base64 of 32 random bytes ({@code openssl rand -base64 32}); all
     *                              of them decrypt, so a rotated-out key stays here until its restore points expire.
     *                              From a Secret, e.g. {@code KBACKUP_ENCRYPTION_KEYS_K202606}
     * @param activeKey             the id of the key that encrypts new restore points; the greatest id when unset
     *                              (name keys by date, such as {@code k202606}, and the newest encrypts)
     * @param key                   a single key, the shorthand of one keyring entry (KBACKUP_ENCRYPTION_KEY)
     * @param keyId                 the id of {@code key}
     * @param acceptUnauthenticated read encrypted restore points whose manifest has no authentication code (written
     *                              before manifests were authenticated); otherwise they are refused as altered
     */
    public record Encryption(java.util.Map<String, String> keys, String activeKey, String key,
                             @NotBlank @DefaultValue("default") String keyId, boolean acceptUnauthenticated) {

        public Encryption {
            keys = keys == null ? java.util.Map.of() : java.util.Map.copyOf(keys);
        }

        public boolean enabled() {
            return !keys.isEmpty() || (key != null && !key.isBlank());
        }

        /** The keyring's entries: {@code keys} and the single {@code key} under {@code key-id}. */
        public java.util.Map<String, String> allKeys() {
            java.util.Map<String, String> all = new java.util.TreeMap<>(keys);
            if (key != null && !key.isBlank()) {
                all.put(keyId, key);
            }
            return all;
        }

        @AssertTrue(message = "kbackup.encryption.key-id names a key that kbackup.encryption.keys holds too; give the key once")
        public boolean isKeyIdUnique() {
            return key == null || key.isBlank() || !keys.containsKey(keyId);
        }
    }

    /** @param file where to write job metrics (Prometheus text format) after each command; none when unset */
    public record Metrics(Path file) {
    }

    /** Where restore points live. */
    public record Storage(
            @NotNull @DefaultValue("filesystem") StorageType type,
            @NotNull @Pattern(regexp = "^$|^(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$",
                    message = "must be empty or a path of letters, digits, '.', '_', '-' separated by '/', without '.' or '..'")
            @DefaultValue("") String prefix,
            @Valid @NotNull @DefaultValue Filesystem filesystem,
            @Valid @NotNull @DefaultValue Azure azure) {

        @AssertTrue(message = "kbackup.storage.azure.connection-string or kbackup.storage.azure.endpoint is required "
                + "when kbackup.storage.type is azure-blob")
        public boolean isAzureConfigured() {
            return type != StorageType.AZURE_BLOB || azure.hasConnectionString() || azure.hasEndpoint();
        }
    }

    public enum StorageType { FILESYSTEM, AZURE_BLOB }

    public record Filesystem(@NotNull @DefaultValue("./data/backups") Path path) {
    }

    public record Azure(
            String connectionString,
            @Pattern(regexp = "^$|^https?://\\S+$", message = "must be an http(s) URL") String endpoint,
            @NotBlank @Pattern(regexp = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$",
                    message = "must be a valid container name (3-63 lower-case letters, digits and single hyphens)")
            @DefaultValue("kbackup") String container,
            @Min(1) @Max(20) @DefaultValue("5") int maxTries,
            @NotNull @DefaultValue("1s") Duration retryDelay,
            @NotNull @DefaultValue("30s") Duration maxRetryDelay) {

        public boolean hasConnectionString() {
            return connectionString != null && !connectionString.isBlank();
        }

        public boolean hasEndpoint() {
            return endpoint != null && !endpoint.isBlank();
        }
    }

    /**
     * How kbackup talks to the Kubernetes API server.
     *
     * @param kubeconfig       a kubeconfig file; the standard resolution (KUBECONFIG, ~/.kube/config, the in-cluster
     *                         service account) when unset. With {@code kubeconfig-secret}, what reads the Secret
     * @param context          a context of that kubeconfig (of the Secret's, with {@code kubeconfig-secret})
     * @param kubeconfigSecret a Secret holding the kubeconfig (key {@code kubeconfig} or {@code value}), read with the
     *                         in-cluster (or default) credentials: {@code name} in their namespace, or {@code namespace/name}
     */
    public record Kube(
            Path kubeconfig,
            String context,
            @Pattern(regexp = "^$|^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$",
                    message = "must be a Secret name, or namespace/name") String kubeconfigSecret,
            @Min(1) @Max(10_000) @DefaultValue("500") int pageSize,
            @Min(0) @Max(30) @DefaultValue("10") int requestRetries,
            @NotNull @DefaultValue("200ms") Duration retryInterval,
            @NotNull @DefaultValue("60s") Duration requestTimeout) {
    }

    /**
     * Backup job tuning, and the selection a backup uses for every flag not given on its command line (how a
     * CronJob's ConfigMap says what to back up).
     *
     * @param compressionLevel gzip level of packs: 1 (the default) compresses API objects several times faster
     *                         than 6 for a few percent more bytes, and compression is most of a backup's CPU
     * @param uploadsInFlight  packs stored at once while the listing goes on; the restart state only ever counts
     *                         stored packs, so more in flight means more to redo after a crash, and more in memory
     * @param packObjects      new objects per pack, and per commit, at the most (formerly {@code chunk-size})
     * @param packBytes        uncompressed bytes per pack at the most, formerly {@code chunk-bytes} (a pack closes at
     *                         the object that reaches it): what bounds memory when objects are big, as Helm release
     *                         Secrets of up to 1 MB are
     * @param commitBytes      uncompressed bytes of new packs per commit at the most: a commit of big objects spans
     *                         several packs, because each commit saves the restart state (every pack referred to so
     *                         far), and a commit per 4 MB pack made that state's writes grow with the square of the
     *                         backup's size
     * @param readAheadBytes   bytes of listed objects read ahead of the commit being filled, while the store works
     * @param name             restore point name when {@code --name} is not given (the CronJob sets its Job's name,
     *                         so the Job's retries resume the same restore point); default {@code backup-<UTC time>}
     */
    public record Backup(
            @Min(1) @Max(100_000) @DefaultValue("2000") int packObjects,
            @NotNull @DefaultValue("4MB") DataSize packBytes,
            @NotNull @DefaultValue("64MB") DataSize commitBytes,
            @NotNull @DefaultValue("4MB") DataSize readAheadBytes,
            String name,
            @Min(1) @Max(9) @DefaultValue("1") int compressionLevel,
            @Min(1) @Max(16) @DefaultValue("2") int uploadsInFlight,
            @NotNull @DefaultValue("10s") Duration progressInterval,
            List<String> includeNamespaces,
            List<String> excludeNamespaces,
            List<String> includeResources,
            List<String> excludeResources,
            String selector,
            String includeClusterResources) {

        @AssertTrue(message = "kbackup.backup.pack-bytes must be between 64KB and 512MB")
        public boolean isPackBytesInRange() {
            return packBytes.toBytes() >= 64 * 1024 && packBytes.toBytes() <= 512L * 1024 * 1024;
        }

        @AssertTrue(message = "kbackup.backup.commit-bytes must be between kbackup.backup.pack-bytes and 4GB")
        public boolean isCommitBytesInRange() {
            return commitBytes.toBytes() >= packBytes.toBytes() && commitBytes.toBytes() <= 4L * 1024 * 1024 * 1024;
        }

        @AssertTrue(message = "kbackup.backup.read-ahead-bytes must be between 64KB and 512MB")
        public boolean isReadAheadBytesInRange() {
            return readAheadBytes.toBytes() >= 64 * 1024 && readAheadBytes.toBytes() <= 512L * 1024 * 1024;
        }
    }

    /**
     * Restore job tuning.
     *
     * @param priorities    resource types restored first, in this order (plural.group); the rest follow alphabetically
     * @param parallelism   objects applied at once within a commit
     * @param commitObjects objects per commit (formerly {@code chunk-size})
     * @param crdTimeout    how long to wait for a restored CRD to be served before its custom resources
     */
    public record Restore(
            @NotNull @DefaultValue({"customresourcedefinitions.apiextensions.k8s.io", "namespaces",
                    "storageclasses.storage.k8s.io", "volumesnapshotclasses.snapshot.storage.k8s.io",
                    "volumesnapshotcontents.snapshot.storage.k8s.io", "volumesnapshots.snapshot.storage.k8s.io",
                    "persistentvolumes", "persistentvolumeclaims", "clusterroles.rbac.authorization.k8s.io",
                    "roles.rbac.authorization.k8s.io", "serviceaccounts", "clusterrolebindings.rbac.authorization.k8s.io",
                    "rolebindings.rbac.authorization.k8s.io", "secrets", "configmaps", "limitranges",
                    "priorityclasses.scheduling.k8s.io", "pods", "replicasets.apps", "endpoints", "services"})
            List<String> priorities,
            @Min(1) @Max(64) @DefaultValue("8") int parallelism,
            @Min(1) @Max(100_000) @DefaultValue("500") int commitObjects,
            @NotNull @DefaultValue("60s") Duration crdTimeout) {
    }

    /** Persistent-volume snapshots taken by backups. */
    public record Snapshots(
            @NotNull @DefaultValue("none") SnapshotProvider provider,
            @Min(1) @Max(64) @DefaultValue("8") int concurrency,
            @NotNull @DefaultValue("10m") Duration timeout,
            @NotNull @DefaultValue("5s") Duration pollInterval,
            @Valid @NotNull @DefaultValue AzureDisk azure,
            @Valid @NotNull @DefaultValue Csi csi) {

        @AssertTrue(message = "kbackup.snapshots.azure.subscription-id and kbackup.snapshots.azure.resource-group are "
                + "required when kbackup.snapshots.provider is azure-disk")
        public boolean isAzureConfigured() {
            return provider != SnapshotProvider.AZURE_DISK || (notBlank(azure.subscriptionId()) && notBlank(azure.resourceGroup()));
        }
    }

    public enum SnapshotProvider { NONE, AZURE_DISK, CSI }

    /**
     * Azure managed-disk snapshots.
     *
     * @param subscriptionId          subscription of the snapshot resource group
     * @param resourceGroup           resource group the snapshots are created in
     * @param tenantId                Entra tenant, for the credential; optional
     * @param resourceManagerEndpoint ARM endpoint for sovereign clouds, e.g. https://management.chinacloudapi.cn/
     * @param credential              {@code default} (DefaultAzureCredential: workload identity, managed identity,
     *                                az login) or {@code none} for an ARM emulator without authentication
     */
    public record AzureDisk(String subscriptionId, String resourceGroup, String tenantId,
                            @Pattern(regexp = "^$|^https?://\\S+$", message = "must be an http(s) URL") String resourceManagerEndpoint,
                            @NotNull @DefaultValue("default") AzureCredential credential) {
    }

    public enum AzureCredential { DEFAULT, NONE }

    /** CSI VolumeSnapshots. */
    public record Csi(String volumeSnapshotClass) {
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * The backup policy: how often backups run and how long restore points are kept.
     *
     * @param frequency   every 4, 6, 8 or 12 hours, or daily: PT4H, PT6H, PT8H, PT12H, P1D
     * @param time        the time of day (UTC, HH:mm) the schedule is anchored at
     * @param retention   how long a restore point is kept, 1 to 360 days
     * @param keepLast    newest Completed restore points never purged, even when expired
     * @param keepDaily   keep the first Completed backup of each of the last N days, even when expired
     * @param keepWeekly  keep the first Completed backup of each of the last N ISO weeks
     * @param keepMonthly keep the first Completed backup of each of the last N months
     */
    public record Policy(
            @NotNull @DefaultValue("PT4H") Duration frequency,
            @NotNull @Pattern(regexp = "^([01][0-9]|2[0-3]):[0-5][0-9]$", message = "must be HH:mm") @DefaultValue("00:00") String time,
            @NotNull @DefaultValue("P7D") Duration retention,
            @Min(0) @Max(1000) @DefaultValue("1") int keepLast,
            @Min(0) @Max(360) @DefaultValue("0") int keepDaily,
            @Min(0) @Max(52) @DefaultValue("0") int keepWeekly,
            @Min(0) @Max(12) @DefaultValue("0") int keepMonthly) {

        public static final List<Duration> FREQUENCIES = java.util.List.of(Duration.ofHours(4), Duration.ofHours(6),
                Duration.ofHours(8), Duration.ofHours(12), Duration.ofDays(1));

        @AssertTrue(message = "kbackup.policy.retention must be between 1 day and 360 days")
        public boolean isRetentionInRange() {
            return retention.compareTo(Duration.ofDays(1)) >= 0 && retention.compareTo(Duration.ofDays(360)) <= 0;
        }

        @AssertTrue(message = "kbackup.policy.frequency must be one of PT4H, PT6H, PT8H, PT12H, P1D")
        public boolean isFrequencySupported() {
            return FREQUENCIES.contains(frequency);
        }
    }
}
