package jobs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jobs.diff.DiffResult;
import jobs.diff.Differ;
import jobs.diff.LiveSide;
import jobs.diff.RestorePointSide;
import jobs.filter.Selection;
import jobs.kube.Cluster;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Shows what changed between two restore points, or between a restore point and the cluster now (--live):",
                "objects added, removed and changed per type, each change as an RFC 6902 JSON Patch. resourceVersion, "
                        + "managedFields, generation, uid, creationTimestamp and (unless --include-status) status are ignored."})
class DiffCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Parameters(index = "0", paramLabel = "FROM", description = "Restore point compared from.")
    String from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TO", description = "Restore point compared with (or --live).")
    String to;

    @Option(names = "--live", description = "Compare FROM with the cluster now, with FROM's own selection.")
    boolean live;

    @Mixin
    SelectionOptions selectionOptions = new SelectionOptions();

    @Option(names = "--namespace-mapping", split = ",", paramLabel = "SRC=DST",
            description = "With --live: FROM's namespace SRC is DST in the cluster (it was restored with this mapping).")
    List<String> namespaceMapping = new ArrayList<>();

    @Option(names = "--include-status", description = "Compare status too.")
    boolean includeStatus;

    @Option(names = "--exit-code", description = "Exit 4 when there are differences (0 otherwise).")
    boolean exitCode;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "Output format.")
    OutputFormat output;

    private Selection selection;
    private Map<String, String> mapping;

    @Override
    public void validate() {
        clusterOption.validate();
        Inputs.name("FROM", from);
        if (live == (to != null)) {
            throw new InvalidInputException(live ? "TO: give either TO or --live, not both ('" + to + "')"
                    : "TO: name a second restore point, or compare with the cluster with --live");
        }
        if (to != null) {
            Inputs.name("TO", to);
        }
        if (!live && !namespaceMapping.isEmpty()) {
            throw new InvalidInputException("--namespace-mapping: only with --live ('" + String.join(",", namespaceMapping) + "')");
        }
        selection = selectionOptions.toSelection();
        mapping = Inputs.pairs("--namespace-mapping", namespaceMapping, "namespace");
        mapping.forEach((source, target) -> {
            Inputs.name("--namespace-mapping", source);
            Inputs.name("--namespace-mapping", target);
        });
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        RestorePoints restorePoints = context.getBean(RestorePoints.class);
        Manifest a = find(restorePoints, "FROM", from);
        Differ differ = new Differ(includeStatus);
        DiffResult result;
        if (live) {
            Map<String, String> back = new HashMap<>();
            mapping.keySet().forEach(source -> back.put(source, null)); // restored elsewhere: its live objects are not FROM's
            mapping.forEach((source, target) -> back.put(target, source));
            // The restore point, narrowed by the flags, against the cluster picked by its own selection and the flags.
            LiveSide cluster = new LiveSide(context.getBean(Cluster.class), RestorePointSide.types(a), List.of(a.selection(), selection),
                    ns -> back.containsKey(ns) ? back.get(ns) : ns);
            result = differ.compare(new RestorePointSide(restorePoints, a, selection, ns -> mapping.getOrDefault(ns, ns)), cluster);
        } else {
            Manifest b = find(restorePoints, "TO", to);
            List<RestorePointSide> sides = RestorePointSide.pair(restorePoints, a, b, selection);
            result = differ.compare(sides.get(0), sides.get(1));
        }
        if (output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        } else {
            print(result, out);
        }
        return exitCode && !result.isEmpty() ? ExitCodes.DIFFERENCES : ExitCodes.COMPLETED;
    }

    private static Manifest find(RestorePoints restorePoints, String what, String name) {
        return restorePoints.findAuthentic(name).orElseThrow(() -> new InvalidInputException(what + ": restore point '" + name
                + "' not found in " + restorePoints.store().location()));
    }

    /** Counts per type, then each changed object with the paths its patch touches. */
    private static void print(DiffResult result, PrintWriter out) {
        out.printf("Diff %s -> %s: %s%n", result.from(), result.to(), result.isEmpty() ? "no differences"
                : result.types().size() + " types changed");
        if (!result.isEmpty()) {
            out.printf("  %-48s %7s %7s %7s%n", "TYPE", "ADDED", "REMOVED", "CHANGED");
            result.types().forEach(t -> out.printf("  %-48s %7d %7d %7d%n", t.type(), t.added().size(), t.removed().size(),
                    t.changed().size()));
        }
        for (DiffResult.TypeChanges t : result.types()) {
            t.added().forEach(o -> out.printf("+ %s %s%n", t.type(), o));
            t.removed().forEach(o -> out.printf("- %s %s%n", t.type(), o));
            t.changed().forEach(c -> out.printf("~ %s %s: %s%n", t.type(), c.object(), String.join(", ", c.paths())));
        }
        result.warnings().forEach(w -> out.printf("Warning: %s%n", w));
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
