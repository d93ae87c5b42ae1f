package jobs.backup;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.store.Manifest;
import jobs.store.Manifest.ItemError;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.run.Runs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Backups whose process died without a trace (a pod killed outright, a lost node) and that no retry resumed: their
 * runs are marked FAILED and their restore points Failed, with the cause {@value Runs#ABANDONED}, by the next
 * backup or purge. A Failed restore point is then purged like any other once it expires, and can still be resumed
 * by launching its name again; it is never kept for ever as "still running".
 */
@Component
public class AbandonedBackups {

    private static final Logger log = LoggerFactory.getLogger(AbandonedBackups.class);

    private final Runs runs;
    private final RestorePoints restorePoints;
    /** Taken when needed: bad input is refused before the job repository is even opened. */
    private final ObjectProvider<JobRepository> jobRepository;
    private final Clock clock;
    /** Backups and imports alike. */
    private final List<RestorePointJob> jobs;

    /** The fleet member whose restore points these are: only its runs are swept. */
    private final String member;

    AbandonedBackups(Runs runs, RestorePoints restorePoints, ObjectProvider<JobRepository> jobRepository, Clock clock,
                     List<RestorePointJob> jobs, KbackupProperties properties) {
        this.member = properties.member();
        this.runs = runs;
        this.restorePoints = restorePoints;
        this.jobRepository = jobRepository;
        this.clock = clock;
        this.jobs = List.copyOf(jobs);
    }

    /** The names of the backups abandoned by their process, without marking anything. */
    public List<String> find() {
        return jobs.stream().flatMap(job -> runs.deadRuns(job.jobName()).stream())
                .filter(e -> Runs.isFor(e, member)).map(e -> e.getJobParameters().getString(BackupParameters.NAME)).toList();
    }

    /** Marks the abandoned backups Failed; returns their names. */
    public List<String> sweep() {
        List<String> names = new ArrayList<>();
        for (RestorePointJob job : jobs) {
            for (JobExecution execution : runs.abandonDead(job.jobName(), member)) {
                String name = execution.getJobParameters().getString(BackupParameters.NAME);
                // The packs its last commit claimed: kept by a purge's sweep, for the run that resumes it.
                List<Manifest.ChunkRef> held = PackRefs.committed(jobRepository.getObject(), execution.getJobInstance(),
                        job.packingStep()).chunks();
                restorePoints.update(name, m -> {
                    if (m.phase() != Phase.InProgress) {
                        return m;
                    }
                    log.warn("{} {} was abandoned by its process; its restore point is now Failed", job.jobName(), name);
                    return m.failed(clock.instant(), List.of(new ItemError(null, null, null, Runs.ABANDONED))).holding(held);
                });
                names.add(name);
            }
        }
        return names;
    }
}
