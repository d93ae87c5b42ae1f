package jobs.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.fleet.FleetReport;
import jobs.fleet.FleetReportPage;
import jobs.support.ExitCodes;
import jobs.support.Json;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Backup center for the fleet: per member, its newest Completed restore point and its age against the "
                + "policy (an RPO breach past frequency plus kbackup.fleet.rpo-grace), its failures of the last day with "
                + "their causes, its objects, volumes and stored bytes.",
                "What needs a look comes first. --output html writes a self-contained page with a chart per member."})
class FleetReportCommand implements Subcommand {

    enum Format { table, json, html }

    @Option(names = "--clusters", split = ",", paramLabel = "NAME", description = "Only these members (default: all).")
    List<String> clusters = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "table|json|html", defaultValue = "table", description = "Output format.")
    Format output;

    @Override
    public void validate() {
        clusters.forEach(c -> Inputs.name("--clusters", c));
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        KbackupProperties shared = context.getBean(KbackupProperties.class);
        List<String> members = FleetMembers.chosen(shared.fleet(), clusters, "fleet report");
        List<FleetReport.MemberStatus> rows = context.getBean(FleetReport.class).report(members);
        switch (output) {
            case json -> out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            case html -> out.print(FleetReportPage.render(rows, context.getBean(Clock.class).instant(), shared.fleet().rpoGrace()));
            default -> {
                String format = "%-20s %-10s %-24s %8s %6s %9s %9s %8s %14s%n";
                out.printf(format, "CLUSTER", "STATE", "NEWEST COMPLETED", "AGE", "EVERY", "FAILURES", "OBJECTS", "VOLUMES", "STORED BYTES");
                for (FleetReport.MemberStatus r : rows) {
                    out.printf(format, r.member(), r.state(), r.newest() == null ? "none" : r.newest(),
                            r.age() == null ? "-" : FleetReport.human(r.age()), FleetReport.human(r.frequency()), r.failures().size(),
                            r.objects(), r.volumes(), r.storedBytes());
                }
                for (FleetReport.MemberStatus r : rows) {
                    if (r.unreadable() != null) {
                        out.printf("%s: storage could not be read: %s%n", r.member(), r.unreadable());
                    }
                    r.failures().forEach(f -> out.printf("%s: %s %s execution %s failed: %s%n", r.member(), f.at(), f.job(),
                            f.execution(), f.cause()));
                }
            }
        }
        return ExitCodes.COMPLETED;
    }
}
