package jobs.cli;

import java.io.PrintWriter;
import java.util.List;
import jobs.store.RestorePoints;
import jobs.support.ExitCodes;
import jobs.support.Json;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists the restore points found in storage, newest first.")
class ListCommand implements Subcommand {
    @Mixin
    ClusterOption clusterOption = new ClusterOption();

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES}.")
    OutputFormat output;

    @Override
    public int run(ApplicationContext context, PrintWriter out) throws Exception {
        List<RestorePointView> views = context.getBean(RestorePoints.class).list().stream()
                .map(RestorePointView::summary).toList();
        if (output == OutputFormat.json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(views));
        } else {
            RestorePointView.printTable(views, out);
        }
        return ExitCodes.COMPLETED;
    }

    @Override
    public void validate() {
        clusterOption.validate();
    }

    @Override
    public List<String> configuration() {
        return clusterOption.configuration();
    }
}
