package jobs.cli;

import java.util.List;
import jobs.config.Fleet;
import jobs.support.InvalidInputException;

/** The members a fleet command works on: all of them, or those {@code --clusters} names, each checked. */
final class FleetMembers {

    private FleetMembers() {
    }

    static List<String> chosen(Fleet fleet, List<String> clusters, String command) {
        if (fleet.isEmpty()) {
            throw new InvalidInputException(command + ": no fleet is configured (kbackup.fleet.clusters is empty)");
        }
        for (String cluster : clusters) {
            if (fleet.find(cluster).isEmpty()) {
                throw new InvalidInputException("--clusters: '" + cluster + "' is not a member of kbackup.fleet.clusters (members: "
                        + String.join(", ", fleet.names()) + ")");
            }
        }
        return clusters.isEmpty() ? fleet.names() : clusters.stream().distinct().toList();
    }
}
