package jobs.cli;

import java.util.List;
import java.io.PrintWriter;
import java.util.stream.Collectors;
import jobs.purge.Decision;
import jobs.purge.PurgeLauncher;
import jobs.purge.PurgeSummary;
import jobs.support.ExitCodes;
import jobs.support.Failures;
import jobs.support.Json;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Deletes expired restore points with their blobs and volume snapshots, as the policy says.",
                "Never deletes what has not expired, the newest Completed restore point (unless --keep-last 0), or a "
                        + "backup that is still running; a purge that stopped half way is finished by the next one."})
class PurgeCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Mixin
    PurgeOptions purge = new PurgeOptions();

    @Override
    public void validate() {
        clusterOption.validate();
        purge.validate();
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        JobExecution execution = context.getBean(PurgeLauncher.class).launch(purge.dryRun, purge.retentionOverride, purge.keepLast);
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            out.printf("Purge FAILED: %s%n", execution.getAllFailureExceptions().stream().map(Failures::reason).distinct()
                    .collect(Collectors.joining("; ")));
            return ExitCodes.FAILED;
        }
        PurgeSummary summary = PurgeLauncher.summary(execution);
        if (purge.output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        } else {
            for (Decision d : summary.decisions()) {
                out.printf("%-8s %-40s %s%n", d.delete() ? (purge.dryRun ? "WOULD-DEL" : "DELETED") : "KEPT", d.name(), d.reason());
            }
            out.printf("Purge%s: %d examined, %d %s, kept %s, %d bytes and %d snapshots freed%n", purge.dryRun ? " (dry run)" : "",
                    summary.examined(), summary.deleted(), purge.dryRun ? "would be deleted" : "deleted", summary.keptByReason(),
                    summary.bytesFreed(), summary.snapshotsDeleted());
            if (summary.sweep().deferred() != null) {
                out.printf("Packs: sweep deferred, %s%n", summary.sweep().deferred());
            } else {
                out.printf("Packs: %d no restore point refers to %s (%d bytes), %d kept%n", summary.sweep().packs(),
                        purge.dryRun ? "would be deleted" : "deleted", summary.sweep().bytes(), summary.sweep().remaining());
            }
        }
        boolean stuck = summary.decisions().stream().anyMatch(d -> d.category().equals("snapshot-delete-failed"));
        return stuck ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
