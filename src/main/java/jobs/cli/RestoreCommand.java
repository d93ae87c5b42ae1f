package jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.filter.Selection;
import jobs.restore.ExistingResourcePolicy;
import jobs.restore.RestoreLauncher;
import jobs.restore.RestoreParameters;
import jobs.snapshot.VolumePlacement;
import jobs.store.ChunkCodec;
import jobs.store.Phase;
import jobs.store.RestoreRecord;
import jobs.store.RestoreRecords;
import jobs.support.ExitCodes;
import jobs.support.Failures;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restores a restore point into the cluster of the current kubeconfig context (the same or another "
                + "cluster): whole, by namespace or item by item.",
                "Existing objects are never deleted or recreated. Launching an existing name again resumes it if it failed."})
class RestoreCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Option(names = "--to-cluster", paramLabel = "NAME",
            description = "Restore into this member of kbackup.fleet.clusters (its API server and snapshot settings), from --cluster's restore point.")
    String toCluster;


    private static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("'restore-'yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter VALIDATE_NAME = DateTimeFormatter.ofPattern("'validate-'yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);
    private static final int SHOWN_PROBLEMS = 50;

    @Option(names = "--from", required = true, paramLabel = "BACKUP", description = "Restore point to restore.")
    String from;

    @Mixin
    SelectionOptions selectionOptions = new SelectionOptions();

    @Option(names = "--name", paramLabel = "NAME", description = "Restore name (default restore-<UTC yyyyMMddHHmmss>).")
    String name;

    @Option(names = "--namespace-mapping", split = ",", paramLabel = "SRC=DST",
            description = "Restore namespace SRC as DST (created if missing).")
    List<String> namespaceMapping = new ArrayList<>();

    @Option(names = "--existing-resource-policy", paramLabel = "skip|update", defaultValue = "skip",
            description = "An object that exists already: skip (leave it, report it) or update (patch it to the backed-up state).")
    String existingResourcePolicy;

    @Option(names = "--restore-volumes", arity = "1", paramLabel = "true|false", defaultValue = "true",
            description = "Recreate volumes from their snapshots (default true); false provisions claims fresh.")
    boolean restoreVolumes;

    @Option(names = "--disk-sku", paramLabel = "SKU",
            description = "SKU of every Azure disk made from a snapshot (e.g. Premium_ZRS); default: each source disk's own.")
    String diskSku;

    @Option(names = "--zone-mapping", split = ",", paramLabel = "SRC=DST",
            description = "Make disks of source zone SRC in zone DST (a target cluster in other zones), e.g. 1=2,2=3.")
    List<String> zoneMapping = new ArrayList<>();

    @Option(names = "--resource-modifiers", paramLabel = "FILE", description = "YAML rules that patch objects before they are applied.")
    Path resourceModifiers;

    @Option(names = "--dry-run", description = "Read and plan everything, print what would happen, write nothing to the cluster.")
    boolean dryRun;

    @Option(names = "--validate", description = {"Check, writing nothing to the cluster, that this restore can run: a dry run "
            + "that asks the API server (SelfSubjectAccessReview) for every permission it needs and lists those missing.",
            "Exit 2 when any is missing."})
    boolean validate;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "Output format.")
    OutputFormat output;

    private Selection selection;
    private Map<String, String> mapping;
    private ExistingResourcePolicy policy;
    private VolumePlacement placement;
    private String modifiers;

    @Override
    public void validate() {
        clusterOption.validate();
        if (toCluster != null) {
            Inputs.name("--to-cluster", toCluster);
        }
        Inputs.name("--from", from);
        if (name != null) {
            Inputs.name("--name", name);
        }
        selection = selectionOptions.toSelection();
        policy = ExistingResourcePolicy.parse(existingResourcePolicy);
        mapping = Inputs.pairs("--namespace-mapping", namespaceMapping, "namespace");
        mapping.forEach((from, to) -> {
            Inputs.name("--namespace-mapping", from);
            Inputs.name("--namespace-mapping", to);
        });
        placement = new VolumePlacement(diskSku, Inputs.pairs("--zone-mapping", zoneMapping, "zone"));
        if (resourceModifiers != null) {
            try {
                modifiers = Files.readString(resourceModifiers);
            } catch (NoSuchFileException e) {
                throw new InvalidInputException("--resource-modifiers: no file '" + resourceModifiers + "'");
            } catch (IOException e) {
                throw new InvalidInputException("--resource-modifiers: cannot read '" + resourceModifiers + "': " + e.getMessage());
            }
        }
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        String restore = name != null ? name
                : (validate ? VALIDATE_NAME : DEFAULT_NAME).format(context.getBean(Clock.class).instant());
        JobExecution execution = context.getBean(RestoreLauncher.class).launch(
                new RestoreParameters(restore, from, selection, mapping, policy, restoreVolumes, placement, dryRun || validate),
                String.valueOf(resourceModifiers), modifiers);
        RestoreRecord record = context.getBean(RestoreRecords.class).find(restore).orElse(null);
        if (record != null) {
            print(record, out);
            if (record.dryRun() && !validate && output == OutputFormat.table) {
                printPlan(context.getBean(RestoreRecords.class), record, out);
            }
            if (record.accessReview() != null && output == OutputFormat.table) {
                printAccess(record.accessReview(), out);
            }
        }
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            if (record == null || record.phase() != Phase.Failed) {
                out.printf("Restore %s %s: %s%n", restore, execution.getStatus(), execution.getAllFailureExceptions().stream()
                        .map(Failures::reason).distinct().collect(Collectors.joining("; ")));
            }
            return ExitCodes.FAILED;
        }
        if (validate && record != null && record.accessReview() != null && !record.accessReview().missing().isEmpty()) {
            return ExitCodes.INVALID_INPUT;
        }
        return record != null && record.phase() == Phase.PartiallyFailed ? ExitCodes.PARTIALLY_FAILED : ExitCodes.COMPLETED;
    }

    /** What the AKS portal's Validate shows: each missing permission, as {@code kubectl auth can-i} takes it. */
    private static void printAccess(RestoreRecord.AccessReview access, PrintWriter out) {
        if (access.missing().isEmpty()) {
            out.printf("Permissions: all %d the restore needs are granted%n", access.checked());
            return;
        }
        out.printf("Missing permissions (%d of %d the restore needs):%n", access.missing().size(), access.checked());
        access.missing().forEach(m -> out.printf("  %s%n", m));
    }

    /** A dry run's whole plan: every item with what would happen to it and why. */
    private static void printPlan(RestoreRecords records, RestoreRecord record, PrintWriter out) throws IOException {
        out.println("Plan:");
        for (String blob : record.results()) {
            byte[] bytes = records.getBlob(record.name(), blob).orElseThrow();
            try (var items = ChunkCodec.decode(bytes)) {
                while (items.hasNext()) {
                    var item = items.next();
                    String ns = item.path("namespace").asText("");
                    out.printf("  %-12s %s %s%s%n", item.path("outcome").asText(), item.path("resource").asText(),
                            ns.isEmpty() ? "" : ns + "/", item.path("name").asText()
                                    + (item.hasNonNull("reason") ? "  (" + item.path("reason").asText() + ")" : ""));
                }
            }
        }
    }

    private void print(RestoreRecord record, PrintWriter out) throws Exception {
        if (output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(record));
            return;
        }
        out.printf("Restore %s from %s%s: %s%n", record.name(), record.backup(), record.dryRun() ? " (dry run)" : "", record.phase());
        out.printf("  %s%n", record.counts().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        record.problems().stream().limit(SHOWN_PROBLEMS).forEach(p -> out.printf("  %-9s %s%s: %s%n", p.outcome(),
                p.resource() == null ? "" : p.resource() + " ", p.name() == null ? "" : (p.namespace() == null ? "" : p.namespace() + "/") + p.name(),
                p.reason()));
        if (record.problems().size() > SHOWN_PROBLEMS) {
            out.printf("  ... %d more in restores/%s/results%n", record.problems().size() - SHOWN_PROBLEMS, record.name());
        }
        if (!record.hooks().isEmpty()) {
            out.println("Hooks:");
            record.hooks().forEach(h -> out.printf("  %s%n", h.row()));
        }
    }

    @Override
    public List<String> configuration() {
        List<String> configuration = new java.util.ArrayList<>(clusterOption.configuration());
        if (toCluster != null) {
            configuration.add("--kbackup.fleet.target=" + toCluster);
        }
        return configuration;
    }
}
