package jobs.cli;

import java.util.List;
import java.io.PrintWriter;
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

@Command(name = "describe", mixinStandardHelpOptions = true, description = "Shows one restore point.")
class DescribeCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Parameters(index = "0", paramLabel = "NAME", description = "Restore point name.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES}.")
    OutputFormat output;

    @Option(names = "--verify", description = "Download every pack (chunk, in storage format 1) and check it against its SHA-256 (missing and truncated ones are always reported).")
    boolean verify;

    @Override
    public void validate() {
        clusterOption.validate();
        Inputs.name("NAME", name);
    }

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        RestorePoints restorePoints = context.getBean(RestorePoints.class);
        // Verifying trusts the manifest's chunk list: it must be authenticated by a key of the ring.
        Manifest manifest = (verify ? restorePoints.findAuthentic(name) : restorePoints.find(name)).orElseThrow(() -> new InvalidInputException("restore point '" + name
                + "' not found in " + restorePoints.store().location()));
        RestorePointView view = RestorePointView.detail(manifest, restorePoints.damage(manifest, verify));
        if (output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(view));
        } else {
            view.printDetail(out);
        }
        return ExitCodes.COMPLETED;
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
