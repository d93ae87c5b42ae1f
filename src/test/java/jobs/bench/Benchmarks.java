package jobs.bench;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the benchmarks named on the command line (all when none): {@code ./mvnw -B -Pbench verify}, or
 * {@code -Dbench=snapshots}. They print numbers; they assert nothing about speed.
 */
public final class Benchmarks {

    /** Held so the level set on it stays: java.util.logging keeps loggers only weakly. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        // The mock web server logs every request; at 100,000 objects that is noise and CPU taken from the runs.
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        List<String> which = args.length == 0 || args[0].isBlank() ? List.of("backup", "big-objects", "restore", "snapshots", "hooks", "diff", "incremental", "import", "fleet") : List.of(args[0].split(","));
        for (String bench : which) {
            switch (bench.trim()) {
                case "backup" -> BackupBenchmark.run();
                case "snapshots" -> SnapshotBenchmark.run();
                case "restore" -> RestoreBenchmark.run();
                case "big-objects" -> BigObjectsBenchmark.run();
                case "hooks" -> HooksBenchmark.run();
                case "diff" -> DiffBenchmark.run();
                case "incremental" -> IncrementalBenchmark.run();
                case "import" -> ImportBenchmark.run();
                case "fleet" -> FleetBenchmark.run();
                default -> throw new IllegalArgumentException("unknown benchmark " + bench);
            }
        }
        System.exit(0);
    }
}
