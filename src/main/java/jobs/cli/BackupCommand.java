package jobs.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jobs.backup.BackupLauncher;
import jobs.backup.BackupParameters;
import jobs.config.KbackupProperties;
import jobs.filter.Selection;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.support.ExitCodes;
import jobs.support.Failures;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Backs up the cluster of the current kubeconfig context (or the in-cluster service account) "
                + "into a restore point.",
                "Launching an existing name again resumes it if it failed; a completed one is refused."})
class BackupCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    private static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("'backup-'yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);

    @Mixin
    SelectionOptions selectionOptions = new SelectionOptions();

    @Option(names = "--name", paramLabel = "NAME",
            description = "Restore point name (default kbackup.backup.name, else backup-<UTC yyyyMMddHHmmss>).")
    String name;

    @Option(names = "--snapshot-volumes", arity = "1", paramLabel = "true|false", defaultValue = "true",
            description = "Snapshot the persistent volumes of selected claims (default true).")
    boolean snapshotVolumes;

    @Option(names = "--ttl", paramLabel = "DURATION",
            description = "How long to keep the restore point, e.g. 72h, 30d (default: kbackup.policy.retention).")
    String ttl;

    private Selection selection;
    private Duration keep;

    @Override
    public void validate() {
        clusterOption.validate();
        if (name != null) {
            Inputs.name("--name", name);
        }
        keep = ttl == null ? null : Inputs.duration("--ttl", ttl);
        selection = selectionOptions.toSelection();
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        KbackupProperties.Backup configured = context.getBean(KbackupProperties.class).backup();
        selection = selectionOptions.withDefaults(configured);
        String restorePoint = name != null ? name
                : configured.name() != null && !configured.name().isBlank() ? Inputs.name("kbackup.backup.name", configured.name())
                : DEFAULT_NAME.format(context.getBean(Clock.class).instant());
        JobExecution execution = context.getBean(BackupLauncher.class)
                .launch(new BackupParameters(restorePoint, selection, keep, snapshotVolumes));
        Manifest manifest = context.getBean(RestorePoints.class).find(restorePoint).orElse(null);
        if (manifest != null) {
            out.printf("Backup %s %s: %d objects in %d %s, %d errors%n", restorePoint, manifest.phase(),
                    manifest.itemCount(), manifest.chunks().size(), manifest.chunks().size() == 1 ? "pack" : "packs",
                    manifest.errors().size());
            manifest.errors().forEach(e -> out.printf("  error: %s%n", RestorePointView.describe(e)));
        }
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            out.printf("Backup %s %s: %s%n", restorePoint, execution.getStatus(), execution.getAllFailureExceptions().stream()
                    .map(Failures::reason).distinct().collect(Collectors.joining("; ")));
            return ExitCodes.FAILED;
        }
        return manifest != null && manifest.phase() == Phase.PartiallyFailed
                ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
