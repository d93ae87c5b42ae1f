package jobs.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jobs.report.ExecutionReport;
import jobs.report.HtmlReport;
import jobs.report.Reports;
import jobs.report.StorageReport;
import jobs.store.RestorePoints;
import jobs.support.ExitCodes;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Reports runs from the job repository: executions with parameters, status, times, per-step counts; "
                + "totals per job; failures first. Then, from storage, the bytes stored per day.")
class ReportCommand implements Subcommand {

    enum Format { table, json, html }

    private static final Logger log = LoggerFactory.getLogger(ReportCommand.class);

    @Option(names = "--job", paramLabel = "backup|restore|purge|import-velero", description = "Only this job.")
    String job;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only runs started within this long, e.g. 24h, 7d.")
    String since;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only runs with this status or exit code (COMPLETED, FAILED, PARTIALLY_FAILED, ...).")
    String status;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json|html", defaultValue = "table", description = "Output format.")
    Format output;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to this file instead of standard output.")
    Path out;

    private Duration window;

    @Override
    public void validate() {
        if (job != null && !Reports.JOBS.contains(job)) {
            throw new InvalidInputException("--job: '" + job + "' is not one of " + String.join(", ", Reports.JOBS));
        }
        if (since != null) {
            window = Inputs.duration("--since", since);
        }
        if (status != null && !status.matches("[A-Za-z_]+")) {
            throw new InvalidInputException("--status: '" + status + "' is not a status");
        }
    }

    @Override
    public int run(ApplicationContext context, PrintWriter stdout) throws Exception {
        Instant now = context.getBean(Clock.class).instant();
        List<ExecutionReport> rows = context.getBean(Reports.class).executions(job == null ? Reports.JOBS : List.of(job),
                window == null ? null : now.minus(window), status);
        StorageReport storage = storage(context);
        String text = switch (output) {
            case json -> {
                java.util.Map<String, Object> all = new java.util.LinkedHashMap<>();
                all.put("totals", Reports.totals(rows));
                all.put("executions", rows);
                all.put("storage", storage);
                yield Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n";
            }
            case html -> HtmlReport.render(rows, now, storage);
            case table -> table(rows) + storageTable(storage);
        };
        if (out != null) {
            Files.writeString(out, text);
            stdout.printf("Report of %d executions written to %s%n", rows.size(), out);
        } else {
            stdout.print(text);
        }
        return ExitCodes.COMPLETED;
    }

    /** What storage holds per day, from the restore points; null, with a warning, when storage cannot be read. */
    private static StorageReport storage(ApplicationContext context) {
        try {
            return StorageReport.of(context.getBean(RestorePoints.class).list());
        } catch (RuntimeException e) {
            log.warn("Leaving storage out of the report: {}", e.getMessage());
            return null;
        }
    }

    private static String storageTable(StorageReport storage) {
        if (storage == null || storage.perDay().isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder(String.format("%nSTORED PER DAY (UTC)%n"));
        String format = "  %-10s %15s %12s %12s%n";
        s.append(String.format(format, "DAY", "RESTORE POINTS", "NEW BYTES", "NEW OBJECTS"));
        storage.perDay().forEach(d -> s.append(String.format(format, d.day(), d.restorePoints(), d.newBytes(), d.newObjects())));
        return s.toString();
    }

    private static String table(List<ExecutionReport> rows) {
        StringBuilder s = new StringBuilder();
        String format = "%-13s %6s %-10s %-17s %-24s %9s %9s  %s%n";
        s.append(String.format(format, "JOB", "ID", "STATUS", "EXIT", "START", "SECONDS", "OBJECTS", "STEPS / PARAMETERS"));
        for (ExecutionReport r : rows) {
            s.append(String.format(format, r.job(), r.id(), r.status(), r.exitCode(), r.start(), String.format("%.1f", r.durationSeconds()),
                    r.objects(), r.parameters()));
            r.steps().forEach(st -> s.append(String.format("%74s %s %s read %d write %d skip %d commits %d%n", "", st.name(),
                    st.status(), st.read(), st.write(), st.skip(), st.commits())));
            if (r.hooks() > 0) {
                s.append(String.format("%74s hooks %d run, %d failed%n", "", r.hooks(), r.hooksFailed()));
            }
            if (r.exitDescription() != null) {
                s.append(String.format("%74s %s%n", "", r.exitDescription()));
            }
        }
        s.append(String.format("%nTOTALS%n"));
        Reports.totals(rows).forEach(t -> s.append(String.format("  %-8s %d runs, %d failed, %d objects, %.1f s, %d hooks (%d failed)%n",
                t.job(), t.executions(), t.failed(), t.objects(), t.seconds(), t.hooks(), t.hooksFailed())));
        return s.toString();
    }
}
