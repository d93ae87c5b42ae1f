package jobs.bench;

import java.util.List;

/**
 * Runs the benchmarks named on the command line (all when none): {@code ./mvnw -B -Pbench verify}, or
 * {@code -Dbench=snapshots}. They print numbers; they assert nothing about speed.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        List<String> which = args.length == 0 || args[0].isBlank() ? List.of("snapshots", "restore") : List.of(args[0].split(","));
        for (String bench : which) {
            switch (bench.trim()) {
                case "snapshots" -> SnapshotBenchmark.run();
                case "restore" -> RestoreBenchmark.run();
                default -> throw new IllegalArgumentException("unknown benchmark " + bench);
            }
        }
        System.exit(0);
    }
}
