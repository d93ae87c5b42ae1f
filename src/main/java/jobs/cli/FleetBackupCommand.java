package jobs.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jobs.config.Fleet;
import jobs.config.KbackupProperties;
import jobs.config.MemberSettings;
import jobs.filter.Selection;
import jobs.fleet.FleetLauncher;
import jobs.fleet.FleetParameters;
import jobs.fleet.MemberOutcome;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Backs up every member (or --clusters) as one run with a partition per member, each the member's own "
                + "backup into clusters/<name>/.",
                "A member that cannot be reached fails its partition, never the others' (exit 3). Launching the same "
                        + "--name again reruns only the members that did not complete, each resuming its restore point."})
class FleetBackupCommand implements Subcommand {

    private static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("'backup-'yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    @Option(names = "--name", paramLabel = "NAME",
            description = "Restore point name in every member's folder (default kbackup.backup.name, else backup-<UTC yyyyMMddHHmmss>).")
    String name;

    @Option(names = "--clusters", split = ",", paramLabel = "NAME", description = "Only these members (default: all).")
    List<String> clusters = new ArrayList<>();

    @Option(names = "--parallelism", paramLabel = "N", description = "Members backed up at once (default kbackup.fleet.parallelism, 4).")
    Integer parallelism;

    @Option(names = "--runner", paramLabel = "local|kubernetes", description = "Where partitions run (default kbackup.fleet.runner, local).")
    String runner;

    @Option(names = "--snapshot-volumes", arity = "1", paramLabel = "true|false", defaultValue = "true",
            description = "Snapshot the persistent volumes of selected claims (default true).")
    boolean snapshotVolumes;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "How long to keep the restore points (default: each member's retention).")
    String ttl;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "Output format.")
    OutputFormat output;

    private Duration keep;
    private Fleet.Runner chosenRunner;

    @Override
    public void validate() {
        if (name != null) {
            Inputs.name("--name", name);
        }
        clusters.forEach(c -> Inputs.name("--clusters", c));
        if (parallelism != null && (parallelism < 1 || parallelism > 256)) {
            throw new InvalidInputException("--parallelism: '" + parallelism + "' must be between 1 and 256");
        }
        if (runner != null) {
            chosenRunner = switch (runner) {
                case "local" -> Fleet.Runner.LOCAL;
                case "kubernetes" -> Fleet.Runner.KUBERNETES;
                default -> throw new InvalidInputException("--runner: '" + runner + "' must be local or kubernetes");
            };
        }
        keep = ttl == null ? null : Inputs.duration("--ttl", ttl);
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        KbackupProperties shared = context.getBean(KbackupProperties.class);
        Fleet fleet = shared.fleet();
        List<String> members = FleetMembers.chosen(fleet, clusters, "fleet backup");
        Fleet.Runner where = chosenRunner != null ? chosenRunner : fleet.runner();
        Map<String, Selection> selections = new LinkedHashMap<>();
        for (String member : members) {
            KbackupProperties view = MemberSettings.of(shared, member, null);
            try {
                selections.put(member, new SelectionOptions().withDefaults(view.backup()));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("kbackup.fleet.clusters[" + fleet.names().indexOf(member) + "] (" + member + "): "
                        + e.getMessage());
            }
        }
        String restorePoint = name != null ? name
                : shared.backup().name() != null && !shared.backup().name().isBlank() ? Inputs.name("kbackup.backup.name", shared.backup().name())
                : DEFAULT_NAME.format(context.getBean(Clock.class).instant());
        FleetLauncher launcher = context.getBean(FleetLauncher.class);
        JobExecution execution = launcher.launch(new FleetParameters(restorePoint, selections, keep, snapshotVolumes,
                parallelism != null ? parallelism : fleet.parallelism(), where));
        List<MemberOutcome> outcomes = launcher.outcomes(execution);
        long completed = outcomes.stream().filter(MemberOutcome::completed).count();
        List<String> failed = outcomes.stream().filter(o -> !o.completed()).map(MemberOutcome::member).toList();
        boolean partial = outcomes.stream().anyMatch(o -> o.completed() && o.reason() != null);
        String phase = execution.getStatus() == org.springframework.batch.core.BatchStatus.STOPPED ? "Stopped"
                : failed.isEmpty() && !partial ? "Completed" : completed == 0 ? "Failed" : "PartiallyFailed";
        if (output == OutputFormat.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", restorePoint);
            json.put("execution", execution.getId());
            json.put("phase", phase);
            json.put("members", outcomes);
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            String format = "%-20s %-10s %-16s %9s %8s  %s%n";
            out.printf(format, "CLUSTER", "STATUS", "RESTORE POINT", "OBJECTS", "VOLUMES", "CAUSE");
            for (MemberOutcome o : outcomes) {
                out.printf(format, o.member(), o.status(), o.phase() == null ? "-" : o.phase(), o.items(), o.volumes(),
                        o.reason() == null ? "" : o.reason());
            }
            out.printf("Fleet backup %s %s: %d of %d clusters completed%s (execution %d)%n", restorePoint, phase, completed, outcomes.size(),
                    failed.isEmpty() ? "" : "; not completed: " + String.join(", ", failed), execution.getId());
        }
        return switch (phase) {
            case "Completed" -> ExitCodes.COMPLETED;
            case "Failed", "Stopped" -> ExitCodes.FAILED;
            default -> ExitCodes.PARTIALLY_FAILED;
        };
    }
}
