package jobs.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.fleet.FleetPurge;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Applies retention to every member (or --clusters): each member's purge, with its own policy, in its own folder.",
                "A member whose purge fails is reported (exit 3) and the others are still purged."})
class FleetPurgeCommand implements Subcommand {

    @Option(names = "--clusters", split = ",", paramLabel = "NAME", description = "Only these members (default: all).")
    List<String> clusters = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print what would be deleted and why; delete nothing.")
    boolean dryRun;

    @Option(names = "--retention", paramLabel = "DURATION",
            description = "Expire restore points this long after they started (1 to 360 days), instead of their own expiresAt.")
    String retention;

    @Option(names = "--keep-last", paramLabel = "N", description = "Newest Completed restore points always kept (default: each member's keep-last).")
    Integer keepLast;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "Output format.")
    OutputFormat output;

    private Duration retentionOverride;

    @Override
    public void validate() {
        clusters.forEach(c -> Inputs.name("--clusters", c));
        if (retention != null) {
            retentionOverride = Inputs.duration("--retention", retention);
            if (retentionOverride.compareTo(Duration.ofDays(1)) < 0) {
                throw new InvalidInputException("--retention: '" + retention + "' is shorter than the 1 day minimum");
            }
        }
        if (keepLast != null && keepLast < 0) {
            throw new InvalidInputException("--keep-last: '" + keepLast + "' must be 0 or more");
        }
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        List<String> members = FleetMembers.chosen(context.getBean(KbackupProperties.class).fleet(), clusters, "fleet purge");
        List<FleetPurge.MemberPurge> results = context.getBean(FleetPurge.class).purge(members, dryRun, retentionOverride, keepLast);
        if (output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } else {
            String format = "%-20s %-8s %9s %9s %12s %10s  %s%n";
            out.printf(format, "CLUSTER", "STATUS", "EXAMINED", dryRun ? "WOULD-DEL" : "DELETED", "BYTES FREED", "SNAPSHOTS", "KEPT / CAUSE");
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
