package jobs.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import jobs.filter.Selection;
import jobs.hooks.HookResult;

/**
 * The record of one restore, stored as {@code restores/<name>/restore.json} beside its per-item results
 * ({@code restores/<name>/results/000000.jsonl.gz}).
 *
 * @param name                   restore name
 * @param backup                 restore point restored from
 * @param phase                  InProgress, Completed, PartiallyFailed or Failed
 * @param dryRun                 whether it only planned
 * @param startedAt              start
 * @param completedAt            end, null while running
 * @param cluster                target API server
 * @param selection              what was selected
 * @param namespaceMapping       source namespace to target namespace
 * @param existingResourcePolicy skip or update
 * @param restoreVolumes         whether volumes were restored from snapshots
 * @param counts                 items per outcome
 * @param problems               the failed and skipped items (at most {@value #MAX_PROBLEMS}; all are in the results)
 * @param results                result blobs, relative to the restore's folder
 * @param accessReview           for a dry run, the permissions the restore needs that were checked, null otherwise
 * @param hooks                  every post-restore hook run, in the restored pods
 */
public record RestoreRecord(String name, String backup, Phase phase, boolean dryRun, Instant startedAt, Instant completedAt,
                            String cluster, Selection selection, Map<String, String> namespaceMapping,
                            String existingResourcePolicy, boolean restoreVolumes, Map<String, Long> counts,
                            List<ItemResult> problems, List<String> results, AccessReview accessReview,
                            List<HookResult> hooks) {

    public static final int MAX_PROBLEMS = 1000;

    public RestoreRecord {
        namespaceMapping = namespaceMapping == null ? Map.of() : Map.copyOf(namespaceMapping);
        counts = counts == null ? Map.of() : Map.copyOf(counts);
        problems = problems == null ? List.of() : List.copyOf(problems);
        results = results == null ? List.of() : List.copyOf(results);
        hooks = hooks == null ? List.of() : List.copyOf(hooks);
    }

    /**
     * The permissions a restore needs, as SelfSubjectAccessReviews answered them.
     *
     * @param checked how many distinct permissions were checked
     * @param missing those denied, as {@code kubectl auth can-i} takes them
     */
    public record AccessReview(int checked, List<String> missing) {

        public AccessReview {
            missing = missing == null ? List.of() : List.copyOf(missing);
        }
    }

    /**
     * What happened to one object.
     *
     * @param resource  resource type (plural.group)
     * @param namespace target namespace, null for cluster-scoped
     * @param name      object name
     * @param outcome   Created, Updated, Unchanged, Skipped, Failed, or in a dry run WouldCreate, WouldUpdate, Forbidden
     * @param reason    why, for anything but Created
     */
    public record ItemResult(String resource, String namespace, String name, String outcome, String reason) {
    }
}
