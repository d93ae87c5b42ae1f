package jobs.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.support.ExitCodes;
import jobs.support.Failures;
import jobs.support.InvalidInputException;
import jobs.velero.ImportLauncher;
import jobs.velero.ImportParameters;
import jobs.velero.VeleroLocation;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import-velero", mixinStandardHelpOptions = true,
        description = {"Imports a Velero (or AKS Backup) backup as a kbackup restore point, which then lists, describes, "
                + "diffs, restores and purges like any other.",
                "From a 'velero backup download' tarball or a folder (--from-file), or from a Velero storage location "
                        + "beside kbackup's in its configured storage (--velero-prefix). Launching the same import again "
                        + "resumes it."})
class ImportVeleroCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Option(names = "--from-file", paramLabel = "PATH",
            description = "A <name>.tar.gz, a backup's folder, or a storage location's folder (with backups/ in it).")
    String file;

    @Option(names = "--velero-prefix", paramLabel = "PREFIX",
            description = "The Velero storage location's prefix in kbackup's container or folder (\"\" for its root).")
    String prefix;

    @Option(names = "--name", paramLabel = "NAME", description = "The Velero backup to import.")
    String name;

    @Option(names = "--all", description = "Import every backup of the location, passing over those imported already.")
    boolean all;

    @Option(names = "--restore-point", paramLabel = "NAME", description = "The restore point's name (default: the Velero backup's).")
    String restorePoint;

    @Option(names = "--ttl", paramLabel = "DURATION",
            description = "How long to keep it, from the Velero backup's start (default: the Velero backup's own expiry).")
    String ttl;

    @Option(names = "--dry-run", description = "Read everything and tell what would be imported; write nothing.")
    boolean dryRun;

    private Duration keep;

    @Override
    public void validate() {
        clusterOption.validate();
        if ((file == null) == (prefix == null)) {
            throw new InvalidInputException("import-velero: give exactly one of --from-file PATH and --velero-prefix PREFIX");
        }
        if (all && (name != null || restorePoint != null)) {
            throw new InvalidInputException("import-velero: --all imports every backup under its own name; it takes neither "
                    + "--name nor --restore-point");
        }
        if (prefix != null && !all && name == null) {
            throw new InvalidInputException("import-velero: --velero-prefix " + prefix + " needs --name NAME or --all");
        }
        if (prefix != null) {
            Inputs.prefix("--velero-prefix", prefix);
        }
        if (name != null) {
            Inputs.name("--name", name);
        }
        if (restorePoint != null) {
            Inputs.name("--restore-point", restorePoint);
        }
        keep = ttl == null ? null : Inputs.duration("--ttl", ttl);
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        ImportLauncher launcher = context.getBean(ImportLauncher.class);
        VeleroLocation source = file != null ? VeleroLocation.file(file, name) : VeleroLocation.location(prefix, name);
        if (!all) {
            return dryRun ? preview(launcher, source, restorePoint, out) : importOne(context, launcher, source, restorePoint, out);
        }
        List<String> backups = launcher.backups(source);
        if (backups.isEmpty()) {
            out.printf("No Velero backups in %s%n", file != null ? file : "--velero-prefix " + prefix);
            return ExitCodes.COMPLETED;
        }
        int worst = ExitCodes.COMPLETED;
        int imported = 0;
        int passed = 0;
        for (String backup : backups) {
            VeleroLocation one = source.withBackup(backup);
            Optional<String> whyNot = launcher.whyNot(one, backup, keep);
            if (whyNot.isPresent()) {
                out.printf("Skipped %s: %s%n", backup, whyNot.get());
                passed++;
                continue;
            }
            int code;
            try {
                code = dryRun ? preview(launcher, one, backup, out) : importOne(context, launcher, one, backup, out);
            } catch (InvalidInputException e) {
                // One damaged backup does not stop the migration of the others.
                out.printf("Skipped %s: %s%n", backup, e.getMessage());
                passed++;
                continue;
            }
            imported++;
            worst = code == ExitCodes.FAILED || worst == ExitCodes.FAILED ? ExitCodes.FAILED : Math.max(worst, code);
        }
        out.printf("%s %d of %d Velero backups; %d passed over%n", dryRun ? "Would import" : "Imported", imported, backups.size(), passed);
        return worst;
    }

    private int importOne(ApplicationContext context, ImportLauncher launcher, VeleroLocation source, String as, PrintWriter out)
            throws Exception {
        String target = as != null ? as : launcher.defaultName(source);
        Inputs.name("restore point name", target);
        JobExecution execution = launcher.launch(new ImportParameters(target, source, keep));
        Manifest manifest = context.getBean(RestorePoints.class).find(target).orElse(null);
        if (manifest != null) {
            out.printf("Import %s %s: %d objects in %d packs, %d volumes (%d restorable), %d errors%n", target, manifest.phase(),
                    manifest.itemCount(), manifest.chunks().size(), manifest.volumes().size(),
                    manifest.volumes().stream().filter(Manifest.VolumeRecord::isCompleted).count(), manifest.errors().size());
            manifest.errors().forEach(e -> out.printf("  error: %s%n", RestorePointView.describe(e)));
        }
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            out.printf("Import %s %s: %s%n", target, execution.getStatus(), execution.getAllFailureExceptions().stream()
                    .map(Failures::reason).distinct().collect(Collectors.joining("; ")));
            return ExitCodes.FAILED;
        }
        return manifest != null && manifest.phase() == Phase.PartiallyFailed ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }

    private int preview(ImportLauncher launcher, VeleroLocation source, String as, PrintWriter out) {
        ImportLauncher.Preview preview = launcher.preview(source, as, keep);
        out.printf("Would import Velero backup %s (%s) from %s: %d items, %d second copies and %d other versions left out%n",
                preview.backup(), preview.phase() == null ? "no velero-backup.json" : preview.phase(), preview.where(),
                preview.summary().items(), preview.summary().duplicateCopies(), preview.summary().otherVersions());
        preview.types().forEach((type, count) -> out.printf("  %-40s %d%n", type, count));
        for (Manifest.VolumeRecord volume : preview.volumes()) {
            out.printf("  volume %s (%s/%s): %s %s%s%n", volume.persistentVolume(), volume.namespace(), volume.claim(),
                    volume.provider(), volume.phase(), volume.message() == null ? "" : ": " + volume.message());
        }
        return ExitCodes.COMPLETED;
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
