package jobs.cli;

import picocli.CommandLine.Command;

@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Protects every member of kbackup.fleet.clusters from one place, into one store (each member's restore "
                + "points under clusters/<name>/).", "Other commands work for one member with --cluster NAME."},
        subcommands = {FleetBackupCommand.class, FleetPurgeCommand.class, FleetReportCommand.class})
class FleetCommand {
}
