package jobs.cli;

import java.util.List;
import java.io.PrintWriter;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.velero.VeleroLocation;
import jobs.velero.VeleroExport;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export-velero", mixinStandardHelpOptions = true,
        description = {"Writes a restore point in Velero's layout, as a Velero backup that Velero's backup sync controller "
                + "adopts and 'velero restore create --from-backup' restores.",
                "Into a Velero storage location's folder (--to-file) or beside kbackup's storage, below a prefix (--velero-prefix)."})
class ExportVeleroCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Parameters(index = "0", paramLabel = "NAME", description = "The restore point to export.")
    String name;

    @Option(names = "--to-file", paramLabel = "FOLDER", description = "A storage location's folder: the backup goes to FOLDER/backups/<name>/.")
    String folder;

    @Option(names = "--velero-prefix", paramLabel = "PREFIX",
            description = "The Velero storage location's prefix in kbackup's container or folder (\"\" for its root).")
    String prefix;

    @Option(names = "--velero-name", paramLabel = "NAME", description = "The Velero backup's name (default: the restore point's).")
    String veleroName;

    @Override
    public void validate() {
        clusterOption.validate();
        Inputs.name("NAME", name);
        if ((folder == null) == (prefix == null)) {
            throw new InvalidInputException("export-velero: give exactly one of --to-file FOLDER and --velero-prefix PREFIX");
        }
        if (prefix != null) {
            Inputs.prefix("--velero-prefix", prefix);
        }
        if (veleroName != null) {
            Inputs.name("--velero-name", veleroName);
        }
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        VeleroLocation target = folder != null ? VeleroLocation.file(folder, null) : VeleroLocation.location(prefix, null);
        VeleroExport.Exported exported = context.getBean(VeleroExport.class).export(name, target,
                veleroName == null ? name : veleroName);
        out.printf("Exported %s as Velero backup %s to %s: %d items, %d volumes (%d azure-disk snapshots)%n", name, exported.backup(),
                exported.where(), exported.items(), exported.volumes(), exported.snapshots());
        out.printf("Velero adopts it at its next backup sync; then: velero backup get %s; velero restore create --from-backup %s%n",
                exported.backup(), exported.backup());
        return ExitCodes.COMPLETED;
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
