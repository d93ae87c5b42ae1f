package jobs.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import jobs.support.InvalidInputException;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Many clusters protected from one place, into one store: each member's restore points live under
 * {@code clusters/<name>/} of the configured container or folder. The policy, selection and snapshot settings of
 * {@code kbackup.*} are every member's unless its entry overrides them.
 *
 * @param clusters    the members
 * @param member      the member this process works for: its restore points, API server, snapshots, selection and
 *                    policy (what {@code --cluster NAME} sets); unset, kbackup works for the one cluster of
 *                    {@code kbackup.kube}, at the top of the store
 * @param target      the member whose API server and snapshots a restore writes to ({@code --to-cluster NAME}), the
 *                    disaster-recovery path; {@code member} when unset
 * @param rpoGrace    how far past the policy frequency a member's newest Completed restore point may be before
 *                    {@code fleet report} flags a breach of its recovery point objective
 * @param parallelism members backed up at once by {@code fleet backup} when {@code --parallelism} is not given
 * @param runner      where {@code fleet backup} runs its partitions when {@code --runner} is not given
 * @param kubernetes  the {@code kubernetes} runner's worker Jobs
 */
public record Fleet(
        @Valid List<Member> clusters,
        String member,
        String target,
        @NotNull @DefaultValue("1h") Duration rpoGrace,
        @Min(1) @Max(256) @DefaultValue("4") int parallelism,
        @NotNull @DefaultValue("local") Runner runner,
        @Valid @NotNull @DefaultValue Workers kubernetes) {

    public Fleet {
        kubernetes = kubernetes == null ? new Workers(null, null, null, 1, Duration.ofSeconds(2), Duration.ofMinutes(5)) : kubernetes;
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
        rpoGrace = rpoGrace == null ? Duration.ofHours(1) : rpoGrace;
        runner = runner == null ? Runner.LOCAL : runner;
        parallelism = parallelism == 0 ? 4 : parallelism;
    }

    /** Where partitions run: threads of this process, or the pods of one Indexed Job. */
    public enum Runner { LOCAL, KUBERNETES }

    /**
     * The {@code kubernetes} runner: one Indexed Job per fleet run, a pod per member running {@code kbackup worker}.
     * In a pod, the workers are the manager pod's copy (image, service account, security context, environment and
     * volumes, so the same configuration and job repository); outside one, these settings say what to run.
     *
     * @param namespace            where the worker Jobs are created; the manager pod's own (or the kubeconfig
     *                             context's) when unset
     * @param image                the workers' image when the manager is not in a pod
     * @param serviceAccount       the workers' service account when the manager is not in a pod
     * @param backoffLimitPerIndex retries of a member's pod before its partition fails
     * @param pollInterval         how often the manager reads the partitions' outcomes and the pods
     * @param startTimeout         how long a worker pod may stay Pending before its partition fails
     */
    public record Workers(
            @Pattern(regexp = "^$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", message = "must be a namespace name") String namespace,
            String image,
            String serviceAccount,
            @Min(0) @Max(10) @DefaultValue("1") int backoffLimitPerIndex,
            @NotNull @DefaultValue("2s") Duration pollInterval,
            @NotNull @DefaultValue("5m") Duration startTimeout) {
    }

    /**
     * One member. Its credentials: {@code kubeconfig} (a file), {@code context} (in that file, or in the default
     * kubeconfig), or {@code kubeconfig-secret} (a Secret holding a kubeconfig under the key {@code kubeconfig} or
     * {@code value}, read from the hub cluster: {@code name} in kbackup's own namespace, or {@code namespace/name}).
     * Without any of them the member is the cluster of the default kubeconfig context (or the in-cluster account).
     *
     * @param name      its name, a DNS label: the folder of its restore points and how commands name it
     * @param snapshots its own snapshot settings; unset ones are {@code kbackup.snapshots}'
     * @param backup    its own selection; unset ones are {@code kbackup.backup}'s
     * @param policy    its own policy; unset ones are {@code kbackup.policy}'s
     */
    public record Member(
            @Pattern(regexp = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", message = "must be a DNS label (lower-case letters, digits and '-')")
            String name,
            Path kubeconfig,
            String context,
            @Pattern(regexp = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$",
                    message = "must be a Secret name, or namespace/name") String kubeconfigSecret,
            @Valid MemberSnapshots snapshots,
            MemberSelection backup,
            MemberPolicy policy) {
    }

    /** Snapshot settings a member overrides; null ones are the shared ones. */
    public record MemberSnapshots(KbackupProperties.SnapshotProvider provider, String subscriptionId, String resourceGroup,
                                  String tenantId,
                                  @Pattern(regexp = "^$|^https?://\\S+$", message = "must be an http(s) URL") String resourceManagerEndpoint,
                                  String volumeSnapshotClass) {
    }

    /** Selection a member overrides; null ones are the shared ones. */
    public record MemberSelection(List<String> includeNamespaces, List<String> excludeNamespaces, List<String> includeResources,
                                  List<String> excludeResources, String selector, String includeClusterResources) {
    }

    /** Policy a member overrides; null ones are the shared ones. */
    public record MemberPolicy(Duration frequency, String time, Duration retention, Integer keepLast, Integer keepDaily,
                               Integer keepWeekly, Integer keepMonthly) {
    }

    public boolean isEmpty() {
        return clusters.isEmpty();
    }

    public Optional<Member> find(String name) {
        return clusters.stream().filter(m -> m.name() != null && m.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return clusters.stream().map(Member::name).toList();
    }

    /**
     * Refuses a fleet that cannot work, naming the entry: a member without a name or with one taken, two sources of
     * credentials, a kubeconfig file that is not there, and a {@code member} or {@code target} no entry has.
     */
    public void check() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < clusters.size(); i++) {
            Member m = clusters.get(i);
            String entry = "kbackup.fleet.clusters[" + i + "]";
            if (m.name() == null || m.name().isBlank()) {
                throw new InvalidInputException(entry + ".name is required");
            }
            entry += " (" + m.name() + ")";
            if (!seen.add(m.name())) {
                throw new InvalidInputException(entry + ": the name is taken by an earlier entry; names must be unique");
            }
            if (m.kubeconfig() != null && m.kubeconfigSecret() != null) {
                throw new InvalidInputException(entry + ": give kubeconfig or kubeconfig-secret, not both");
            }
            if (m.kubeconfig() != null && !java.nio.file.Files.isRegularFile(m.kubeconfig())) {
                throw new InvalidInputException(entry + ".kubeconfig: no file '" + m.kubeconfig() + "'");
            }
        }
        if (member != null && !member.isBlank() && find(member).isEmpty()) {
            throw new InvalidInputException(unknown("--cluster", member));
        }
        if (target != null && !target.isBlank() && find(target).isEmpty()) {
            throw new InvalidInputException(unknown("--to-cluster", target));
        }
        if (target != null && !target.isBlank() && (member == null || member.isBlank())) {
            throw new InvalidInputException("--to-cluster " + target + " needs --cluster: the member whose restore point is restored");
        }
    }

    String unknown(String option, String name) {
        return option + " " + name + ": no such member of kbackup.fleet.clusters"
                + (clusters.isEmpty() ? " (no fleet is configured)" : " (members: " + String.join(", ", names()) + ")");
    }

    /** The storage prefix of a member's restore points below the configured one. */
    public static String prefix(String storagePrefix, String member) {
        return (storagePrefix == null || storagePrefix.isEmpty() ? "" : storagePrefix + "/") + "clusters/" + member;
    }
}
