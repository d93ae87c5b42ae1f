package jobs.purge;

/**
 * What a purge does with one restore point, and why.
 *
 * @param name     restore point
 * @param delete   whether it goes
 * @param category the rule, for counting: expired, incomplete, unfinished-deletion, not-expired, running,
 *                 incomplete-recent, keep-last, keep-daily, keep-weekly, keep-monthly, snapshot-delete-failed
 * @param reason   the rule with its particulars, for people
 */
public record Decision(String name, boolean delete, String category, String reason) {
}
