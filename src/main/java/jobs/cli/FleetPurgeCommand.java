package jobs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.fleet.FleetPurge;
import jobs.support.ExitCodes;
import jobs.support.Json;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Applies retention to every member (or --clusters): each member's purge, with its own policy, in its own folder.",
                "A member whose purge fails is reported (exit 3) and the others are still purged."})
class FleetPurgeCommand implements Subcommand {

    @Option(names = "--clusters", split = ",", paramLabel = "NAME", description = "Only these members (default: all).")
    List<String> clusters = new ArrayList<>();

    @Mixin
    PurgeOptions purge = new PurgeOptions();

    @Override
    public void validate() {
        clusters.forEach(c -> Inputs.name("--clusters", c));
        purge.validate();
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        List<String> members = FleetMembers.chosen(context.getBean(KbackupProperties.class).fleet(), clusters, "fleet purge");
        List<FleetPurge.MemberPurge> results = context.getBean(FleetPurge.class).purge(members, purge.dryRun, purge.retentionOverride, purge.keepLast);
        if (purge.output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } else {
            String format = "%-20s %-8s %9s %9s %12s %10s  %s%n";
            out.printf(format, "CLUSTER", "STATUS", "EXAMINED", purge.dryRun ? "WOULD-DEL" : "DELETED", "BYTES FREED", "SNAPSHOTS", "KEPT / CAUSE");
            for (FleetPurge.MemberPurge r : results) {
                if (r.summary() == null) {
                    out.printf(format, r.member(), "FAILED", "-", "-", "-", "-", r.failure());
                } else {
                    out.printf(format, r.member(), "DONE", r.summary().examined(), r.summary().deleted(), r.summary().bytesFreed(),
                            r.summary().snapshotsDeleted(), r.summary().keptByReason());
                }
            }
        }
        long failed = results.stream().filter(r -> r.summary() == null).count();
        return failed == 0 ? ExitCodes.COMPLETED : failed == results.size() ? ExitCodes.FAILED : ExitCodes.PARTIALLY_FAILED;
    }
}
