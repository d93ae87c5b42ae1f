package jobs.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.hooks.HookCounts;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

/** Reads the record of runs from the Spring Batch job repository (H2 or PostgreSQL alike). */
@Component
public class Reports {

    public static final List<String> JOBS = List.of("backup", "restore", "purge", "import-velero", "fleet-backup");

    private final JobRepository jobRepository;

    Reports(JobRepository jobRepository) {
        this.jobRepository = jobRepository;
    }

    /** Executions of the given jobs started after {@code since} (null for all) with the given status (null for any); failures first. */
    public List<ExecutionReport> executions(List<String> jobs, Instant since, String status) {
        List<ExecutionReport> rows = new ArrayList<>();
        for (String job : jobs) {
            for (JobInstance instance : jobRepository.findJobInstances(job)) {
                for (JobExecution e : jobRepository.getJobExecutions(instance)) {
                    Instant start = e.getStartTime() == null ? null : e.getStartTime().toInstant(ZoneOffset.UTC);
                    if (since != null && (start == null || start.isBefore(since))) {
                        continue;
                    }
                    ExecutionReport row = row(job, e, start);
                    if (status == null || row.status().equalsIgnoreCase(status) || row.exitCode().equalsIgnoreCase(status)) {
                        rows.add(row);
                    }
                }
            }
        }
        rows.sort(Comparator.comparing((ExecutionReport r) -> !r.failed())
                .thenComparing(ExecutionReport::start, Comparator.nullsLast(Comparator.reverseOrder())));
        return rows;
    }

    private ExecutionReport row(String job, JobExecution e, Instant start) {
        Instant end = e.getEndTime() == null ? null : e.getEndTime().toInstant(ZoneOffset.UTC);
        List<ExecutionReport.StepReport> steps = new ArrayList<>();
        long objects = 0;
        long hooks = 0;
        long hooksFailed = 0;
        for (StepExecution s : e.getStepExecutions()) {
            hooks += HookCounts.run(s.getExecutionContext());
            hooksFailed += HookCounts.failed(s.getExecutionContext());
            steps.add(new ExecutionReport.StepReport(s.getStepName(), s.getStatus().name(), s.getReadCount(), s.getWriteCount(),
                    s.getSkipCount(), s.getCommitCount()));
            objects += s.getWriteCount();
        }
        String parameters = e.getJobParameters().parameters().stream()
                .filter(p -> !p.name().startsWith("selection"))
                .map(p -> p.name() + "=" + p.value()).collect(Collectors.joining(" "));
        String description = e.getExitStatus().getExitDescription();
        return new ExecutionReport(job, e.getId(), parameters, e.getStatus().name(), e.getExitStatus().getExitCode(),
                description == null || description.isBlank() ? null : description.lines().findFirst().orElse(null),
                start, end, ExecutionReport.seconds(start, end), objects, steps, hooks, hooksFailed);
    }

    /**
     * Totals per job.
     *
     * @param job        job name
     * @param executions runs
     * @param failed     runs that failed or partially failed
     * @param objects    objects over all runs
     * @param seconds    wall time over all runs
     * @param hooks      hooks run over all runs
     * @param hooksFailed of those, how many did not succeed
     */
    public record Totals(String job, int executions, int failed, long objects, double seconds, long hooks, long hooksFailed) {
    }

    public static List<Totals> totals(List<ExecutionReport> rows) {
        Map<String, List<ExecutionReport>> byJob = new LinkedHashMap<>();
        rows.forEach(r -> byJob.computeIfAbsent(r.job(), j -> new ArrayList<>()).add(r));
        return byJob.entrySet().stream().map(e -> new Totals(e.getKey(), e.getValue().size(),
                (int) e.getValue().stream().filter(ExecutionReport::failed).count(),
                e.getValue().stream().mapToLong(ExecutionReport::objects).sum(),
                e.getValue().stream().mapToDouble(ExecutionReport::durationSeconds).sum(),
                e.getValue().stream().mapToLong(ExecutionReport::hooks).sum(),
                e.getValue().stream().mapToLong(ExecutionReport::hooksFailed).sum())).toList();
    }
}
