package jobs.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --cluster NAME}: the command works for fleet member NAME (its restore points under {@code clusters/NAME/},
 * its API server, selection and policy), by setting {@code kbackup.fleet.member}.
 */
class ClusterOption {

    @Option(names = "--cluster", paramLabel = "NAME",
            description = "Work for this member of kbackup.fleet.clusters: its restore points, API server, selection and policy.")
    String cluster;

    void validate() {
        if (cluster != null) {
            Inputs.name("--cluster", cluster);
        }
    }

    List<String> configuration() {
        return cluster == null ? List.of() : List.of("--kbackup.fleet.member=" + cluster);
    }
}
