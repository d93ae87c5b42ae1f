package jobs.backup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import jobs.filter.Selection;
import jobs.kube.Cluster;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * First step: discovers the API resources, plans which types to read, and records the restore point as
 * InProgress in storage, so that {@code list} shows a backup from the moment it starts.
 */
class DiscoverTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(DiscoverTasklet.class);

    private final Cluster cluster;
    private final RestorePoints restorePoints;
    private final Clock clock;
    private final String name;
    private final Selection selection;
    private final Duration ttl;

    DiscoverTasklet(Cluster cluster, RestorePoints restorePoints, Clock clock, String name, Selection selection,
                    Duration ttl) {
        this.cluster = cluster;
        this.restorePoints = restorePoints;
        this.clock = clock;
        this.name = name;
        this.selection = selection;
        this.ttl = ttl;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        BackupPlan plan = BackupPlan.of(cluster.discover(), selection);
        BackupHandoff.plan(chunkContext.getStepContext().getStepExecution().getJobExecution(), plan);
        log.info("Backup {}: {} resource types to read from {}{}", name, plan.types().size(), cluster.server(),
                plan.warnings().isEmpty() ? "" : "; " + plan.warnings().size() + " API groups unavailable and left out");
        Instant now = clock.instant();
        // A restart finds the manifest of its first run, and keeps it.
        restorePoints.create(Manifest.started(name, now, now.plus(ttl), cluster.server(), selection));
        return RepeatStatus.FINISHED;
    }
}
