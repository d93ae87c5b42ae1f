package jobs.purge;

import java.util.List;
import java.util.Map;

/**
 * What a purge did (or, in a dry run, would do).
 *
 * @param dryRun           whether anything was deleted
 * @param examined         restore points looked at
 * @param deleted          restore points deleted (or that would be)
 * @param keptByReason     restore points kept, per rule
 * @param bytesFreed       bytes of blobs deleted
 * @param snapshotsDeleted volume snapshots deleted
 * @param decisions        every restore point with what happened and why
 * @param sweep            the packs no restore point refers to any more, deleted after the manifests
 */
public record PurgeSummary(boolean dryRun, int examined, int deleted, Map<String, Integer> keptByReason, long bytesFreed,
                           int snapshotsDeleted, List<Decision> decisions, PackSweep.Result sweep) {
}
