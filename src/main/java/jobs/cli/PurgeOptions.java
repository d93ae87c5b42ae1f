package jobs.cli;

import java.time.Duration;
import jobs.support.InvalidInputException;
import picocli.CommandLine.Option;

/** What a purge is asked, the same for one cluster's purge and a fleet's. */
class PurgeOptions {

    @Option(names = "--dry-run", description = "Print what would be deleted and why; delete nothing.")
    boolean dryRun;

    @Option(names = "--retention", paramLabel = "DURATION",
            description = "Expire restore points this long after they started (1 to 360 days), instead of their own expiresAt.")
    String retention;

    @Option(names = "--keep-last", paramLabel = "N", description = "Newest Completed restore points always kept (default kbackup.policy.keep-last, 1).")
    Integer keepLast;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "Output format.")
    OutputFormat output = OutputFormat.table;

    /** The checked {@code --retention}, null when not given. */
    Duration retentionOverride;

    void validate() {
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
}
