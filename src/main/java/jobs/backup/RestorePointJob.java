package jobs.backup;

/**
 * A job that writes a restore point through {@link PackedItems}, identified by its {@code name} parameter: a backup
 * or an import. A run of it left running by a dead process leaves its restore point InProgress, which holds off
 * every purge's sweep, so {@link AbandonedBackups} marks it Failed, holding the packs its step committed.
 *
 * @param jobName     the job's name
 * @param packingStep the name of its {@link PackedItems} step
 */
public record RestorePointJob(String jobName, String packingStep) {
}
