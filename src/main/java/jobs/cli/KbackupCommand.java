package jobs.cli;

import picocli.CommandLine.Command;

@Command(name = "kbackup", mixinStandardHelpOptions = true, version = "kbackup 0.1.0",
        description = {"Backs up, restores and purges Kubernetes cluster resources and volumes.",
                "Configuration: --kbackup.<key>=<value>, environment variables (KBACKUP_STORAGE_TYPE=...) "
                        + "or application.yaml; see README.md."},
        subcommands = {BackupCommand.class, RestoreCommand.class, PurgeCommand.class, ListCommand.class, DescribeCommand.class, DiffCommand.class,
                PolicyCommand.class, ReportCommand.class, RestartCommand.class, StopCommand.class, ImportVeleroCommand.class, ExportVeleroCommand.class,
                FleetCommand.class, WorkerCommand.class},
        footer = {"", "Exit codes: 0 completed, 1 failed, 2 invalid input, 3 partially failed."})
class KbackupCommand {
}
