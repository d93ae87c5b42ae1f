package jobs.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.config.MemberSettings;
import jobs.run.Runs;
import jobs.store.BlobStore;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.support.Failures;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * Backup center for a fleet: per member, its newest Completed restore point and whether its age breaches the
 * recovery point objective (the policy frequency plus {@code kbackup.fleet.rpo-grace}), its failures of the last day
 * with their causes, and its objects, volumes and stored bytes. Storage says what exists; the job repository says
 * what failed.
 */
@Component
public class FleetReport {

    /** Jobs whose failures a member's row lists. */
    private static final List<String> JOBS = List.of("backup", "purge", "restore", "import-velero");
    /** Restore points a member's chart shows, the newest. */
    static final int HISTORY = 60;

    private final MemberContexts contexts;
    private final KbackupProperties shared;
    private final ObjectProvider<JobRepository> jobRepository;
    private final Clock clock;

    FleetReport(MemberContexts contexts, KbackupProperties shared, ObjectProvider<JobRepository> jobRepository, Clock clock) {
        this.contexts = contexts;
        this.shared = shared;
        this.jobRepository = jobRepository;
        this.clock = clock;
    }

    /**
     * One member's row.
     *
     * @param member      the member
     * @param frequency   its policy's frequency
     * @param newest      its newest Completed restore point, null when it has none
     * @param newestAt    when that one completed
     * @param age         how old it is now, null when there is none
     * @param breach      whether the age passes the frequency plus the grace, or there is no Completed one at all
     * @param failures    failed runs of the last day, newest first
     * @param objects     objects in the newest Completed restore point
     * @param volumes     volume records in it
     * @param storedBytes bytes of every blob in the member's folder
     * @param restorePoints restore points in storage
     * @param history     its newest restore points, oldest first, for the chart
     * @param unreadable  why its storage could not be read, null when it could
     */
    public record MemberStatus(String member, Duration frequency, String newest, Instant newestAt, Duration age, boolean breach,
                               List<Failure> failures, long objects, int volumes, long storedBytes, int restorePoints,
                               List<Point> history, String unreadable) {

        /** Breaches first, then members with failures, then by name: what needs a look comes first. */
        static final Comparator<MemberStatus> ATTENTION = Comparator.comparing((MemberStatus s) -> !s.breach())
                .thenComparing(s -> s.failures().isEmpty() && s.unreadable() == null)
                .thenComparing(MemberStatus::member);

        public String state() {
            return breach ? "RPO-BREACH" : !failures.isEmpty() || unreadable != null ? "FAILURES" : "OK";
        }
    }

    /** A failed run: when it ended, which job and execution, and why. */
    public record Failure(Instant at, String job, Long execution, String cause) {
    }

    /** A restore point in the chart. */
    public record Point(String name, Instant at, String phase, long objects) {
    }

    public List<MemberStatus> report(List<String> members) {
        Instant now = clock.instant();
        List<MemberStatus> rows = new ArrayList<>();
        for (String member : members) {
            rows.add(status(member, now));
        }
        rows.sort(MemberStatus.ATTENTION);
        return rows;
    }

    private MemberStatus status(String member, Instant now) {
        KbackupProperties view = MemberSettings.of(shared, member, null);
        Duration frequency = view.policy().frequency();
        List<Failure> failures = failures(member, now.minus(Duration.ofDays(1)));
        List<Manifest> manifests;
        long stored;
        try (ConfigurableApplicationContext context = contexts.open(member)) {
            manifests = context.getBean(RestorePoints.class).list();
            stored = context.getBean(BlobStore.class).list("").stream().mapToLong(BlobStore.BlobEntry::size).sum();
        } catch (RuntimeException e) {
            return new MemberStatus(member, frequency, null, null, null, true, failures, 0, 0, 0, 0, List.of(), Failures.reason(e));
        }
        Manifest newest = manifests.stream().filter(m -> m.phase() == Phase.Completed && m.completedAt() != null)
                .max(Comparator.comparing(Manifest::completedAt)).orElse(null);
        Duration age = newest == null ? null : Duration.between(newest.completedAt(), now);
        boolean breach = age == null || age.compareTo(frequency.plus(shared.fleet().rpoGrace())) > 0;
        List<Point> history = manifests.stream().filter(m -> m.startedAt() != null)
                .sorted(Comparator.comparing(Manifest::startedAt).reversed()).limit(HISTORY)
                .map(m -> new Point(m.name(), m.startedAt(), m.phase().name(), m.itemCount()))
                .sorted(Comparator.comparing(Point::at)).toList();
        return new MemberStatus(member, frequency, newest == null ? null : newest.name(), newest == null ? null : newest.completedAt(),
                age, breach, failures, newest == null ? 0 : newest.itemCount(), newest == null ? 0 : newest.volumes().size(), stored,
                manifests.size(), history, null);
    }

    /** The member's failed runs since {@code since}, and fleet partitions that failed before its backup could start. */
    private List<Failure> failures(String member, Instant since) {
        JobRepository repository = jobRepository.getObject();
        List<Failure> failures = new ArrayList<>();
        for (String job : JOBS) {
            for (JobInstance instance : repository.findJobInstances(job)) {
                for (JobExecution e : repository.getJobExecutions(instance)) {
                    if (Runs.isFor(e, member) && failed(e) && ended(e.getEndTime(), e.getStartTime(), since)) {
                        failures.add(new Failure(instant(e.getEndTime() != null ? e.getEndTime() : e.getStartTime()), job, e.getId(),
                                cause(e)));
                    }
                }
            }
        }
        for (JobInstance instance : repository.findJobInstances(FleetJobConfiguration.JOB_NAME)) {
            for (JobExecution e : repository.getJobExecutions(instance)) {
                for (StepExecution step : e.getStepExecutions()) {
                    if (!step.getStepName().equals(FleetJobConfiguration.MEMBER_STEP + ":" + member)
                            || step.getStatus() != BatchStatus.FAILED || !ended(step.getEndTime(), step.getStartTime(), since)) {
                        continue;
                    }
                    MemberOutcome outcome = MemberOutcome.of(step);
                    if (outcome.backupExecution() == null) {
                        failures.add(new Failure(instant(step.getEndTime() != null ? step.getEndTime() : step.getStartTime()),
                                FleetJobConfiguration.JOB_NAME, e.getId(), outcome.reason()));
                    }
                }
            }
        }
        failures.sort(Comparator.comparing(Failure::at).reversed());
        return failures;
    }

    /** A duration as people read ages: {@code 3d4h}, {@code 5h12m}, {@code 40m}, {@code 12s}. */
    public static String human(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    private static boolean failed(JobExecution e) {
        String exit = e.getExitStatus().getExitCode();
        return e.getStatus() == BatchStatus.FAILED || exit.equals("FAILED") || exit.equals("PARTIALLY_FAILED");
    }

    private static boolean ended(java.time.LocalDateTime end, java.time.LocalDateTime start, Instant since) {
        java.time.LocalDateTime at = end != null ? end : start;
        return at != null && !instant(at).isBefore(since);
    }

    private static String cause(JobExecution e) {
        String description = e.getExitStatus().getExitDescription();
        if (description != null && !description.isBlank()) {
            return description.lines().findFirst().orElse(description);
        }
        return e.getAllFailureExceptions().stream().map(Failures::reason).findFirst().orElse(e.getExitStatus().getExitCode());
    }

    private static Instant instant(java.time.LocalDateTime at) {
        return at.toInstant(ZoneOffset.UTC);
    }
}
