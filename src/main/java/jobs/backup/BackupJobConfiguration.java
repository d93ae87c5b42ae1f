package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.hooks.BackupHookRules;
import jobs.kube.Cluster;
import jobs.snapshot.Snapshotter;
import jobs.store.RestorePoints;
import jobs.support.JobDefaults;
import jobs.support.Json;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The backup job: {@code discover} (plan the types, open the restore point), {@code resources} (read page by page,
 * filter, store new objects in packs and refer to unchanged ones), {@code volumes} (snapshot each selected volume in its own partition, concurrently),
 * {@code finalize} (write the manifest). Every step resumes where it stopped when the same restore point name is
 * launched again.
 */
@Configuration(proxyBeanMethods = false)
public class BackupJobConfiguration {

    public static final String JOB_NAME = "backup";
    static final String DISCOVER_STEP = "discover";
    static final String RESOURCES_STEP = "resources";
    static final String VOLUMES_STEP = "volumes";
    static final String SNAPSHOT_STEP = "snapshot";
    static final String FINALIZE_STEP = "finalize";
    private static final Logger log = LoggerFactory.getLogger(BackupJobConfiguration.class);

    @Bean
    Job backupJob(JobRepository jobRepository, JobDefaults jobDefaults, Step backupDiscoverStep, Step backupResourcesStep,
                  Step backupVolumesStep, Step backupFinalizeStep, RestorePoints restorePoints, Clock clock) {
        return jobDefaults.builder(JOB_NAME, jobRepository)
                .listener(new BackupOutcomeListener(restorePoints, jobRepository, clock, RESOURCES_STEP))
                .start(backupDiscoverStep)
                .next(backupResourcesStep)
                .next(backupVolumesStep)
                .next(backupFinalizeStep)
                .build();
    }

    @Bean
    Step backupDiscoverStep(JobRepository jobRepository, PlatformTransactionManager tx, DiscoverTasklet discoverTasklet) {
        return new StepBuilder(DISCOVER_STEP, jobRepository).tasklet(discoverTasklet, tx).build();
    }

    @Bean
    @StepScope
    DiscoverTasklet discoverTasklet(Cluster cluster, RestorePoints restorePoints, Clock clock, KbackupProperties properties,
                                    @Value("#{jobParameters['name']}") String name,
                                    @Value("#{jobParameters['selection']}") String selection,
                                    @Value("#{jobParameters['ttl']}") String ttl) {
        Duration keep = ttl == null ? properties.policy().retention() : Duration.parse(ttl);
        return new DiscoverTasklet(cluster, restorePoints, clock, name, BackupParameters.selection(selection), keep);
    }

    @Bean
    Step backupResourcesStep(JobRepository jobRepository, PlatformTransactionManager tx, PackedItems backupResources) {
        return new StepBuilder(RESOURCES_STEP, jobRepository)
                .tasklet(backupResources, tx)
                .stream(backupResources)
                .listener(BackupHandoff.volumesPromotion())
                // Registered last so that its afterStep runs first: the promotion then sees the settled state.
                .listener((StepExecutionListener) backupResources)
                .build();
    }

    /** The reader, filter and writer are handed over as plain objects: the checkpoint alone opens, updates and closes their state. */
    @Bean
    @StepScope
    PackedItems backupResources(ResourceReader resourceReader, BackupItemFilter backupItemFilter, PackWriter packWriter,
                                KbackupProperties properties) {
        return new PackedItems(resourceReader, backupItemFilter, packWriter, properties.backup());
    }

    /** The job whose dead runs {@link AbandonedBackups} marks Failed, holding what its packing step committed. */
    @Bean
    RestorePointJob backupRestorePointJob() {
        return new RestorePointJob(JOB_NAME, RESOURCES_STEP);
    }

    /** The volumes step: one partition per volume, snapshotted concurrently. */
    @Bean
    Step backupVolumesStep(JobRepository jobRepository, KbackupProperties properties, VolumePartitioner volumePartitioner,
                           Step backupSnapshotStep) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("snapshot-");
        executor.setConcurrencyLimit(properties.snapshots().concurrency());
        return new StepBuilder(VOLUMES_STEP, jobRepository)
                .partitioner(SNAPSHOT_STEP, volumePartitioner)
                .step(backupSnapshotStep)
                .taskExecutor(executor)
                .gridSize(properties.snapshots().concurrency())
                .build();
    }

    @Bean
    @StepScope
    VolumePartitioner volumePartitioner(KbackupProperties properties, @Value("#{stepExecution.jobExecution}") JobExecution job) {
        ExecutionContext handedOn = job.getExecutionContext();
        return new VolumePartitioner(BackupHandoff.claims(handedOn), BackupHandoff.hookPods(handedOn),
                properties.hooks().backup().withoutVolumes());
    }

    /**
     * A worker writes nothing to the database, and a snapshot can take minutes: it must not hold a pooled connection
     * in a transaction while it waits, or the pool, not the configured concurrency, would bound the parallelism.
     */
    @Bean
    Step backupSnapshotStep(JobRepository jobRepository, SnapshotGroupTasklet snapshotGroupTasklet) {
        return new StepBuilder(SNAPSHOT_STEP, jobRepository)
                .tasklet(snapshotGroupTasklet, new ResourcelessTransactionManager()).build();
    }

    @Bean
    @StepScope
    SnapshotGroupTasklet snapshotGroupTasklet(Cluster cluster, Snapshotter snapshotter, RestorePoints restorePoints,
                                              BackupHookRules backupHookRules,
                                              KbackupProperties properties,
                                              @Value("#{jobParameters['name']}") String name,
                                              @Value("#{jobParameters['snapshotVolumes']}") String snapshotVolumes,
                                              @Value("#{stepExecution.stepName}") String partition,
                                              @Value("#{stepExecutionContext['" + VolumePartitioner.ENTRIES + "']}") String entries,
                                              @Value("#{stepExecutionContext['" + VolumePartitioner.PODS + "']}") String pods) {
        TypeReference<List<String>> strings = new TypeReference<>() { };
        return new SnapshotGroupTasklet(cluster, snapshotter, backupHookRules, restorePoints, name, !"false".equals(snapshotVolumes),
                properties.snapshots().timeout(), properties.hooks().backup().maxFreeze(), partition.substring(partition.lastIndexOf(':') + 1),
                Json.read(entries, strings), Json.read(pods == null ? "[]" : pods, strings));
    }

    @Bean
    @StepScope
    ResourceReader resourceReader(Cluster cluster, KbackupProperties properties,
                                  @Value("#{stepExecution.jobExecution}") JobExecution job,
                                  @Value("#{jobParameters['selection']}") String selection) {
        return new ResourceReader(cluster, BackupHandoff.plan(job),
                BackupParameters.selection(selection).labelSelector().toString(), properties.kube().pageSize(),
                properties.backup().readAheadBytes().toBytes());
    }

    /** Hook rules from configuration; built when the program starts, so bad ones are refused before anything runs. */
    @Bean
    BackupHookRules backupHookRules(KbackupProperties properties) {
        return BackupHookRules.of(properties.hooks().backup());
    }

    @Bean
    @StepScope
    BackupItemFilter backupItemFilter(BackupHookRules backupHookRules, @Value("#{stepExecution.jobExecution}") JobExecution job,
                                      @Value("#{jobParameters['selection']}") String selection) {
        return new BackupItemFilter(BackupParameters.selection(selection), BackupHandoff.plan(job), backupHookRules);
    }

    @Bean
    @StepScope
    PackWriter packWriter(RestorePoints restorePoints, KbackupProperties properties, Clock clock,
                          @Value("#{jobParameters['name']}") String name,
                          @Value("#{jobParameters['selection']}") String selection) {
        Progress progress = new Progress("Backup " + name, clock, properties.backup().progressInterval(), log::info);
        return new PackWriter(restorePoints.packs(), () -> restorePoints.base(BackupParameters.selection(selection)), name,
                progress, clock, properties.backup().compressionLevel(), properties.backup().uploadsInFlight());
    }

    @Bean
    Step backupFinalizeStep(JobRepository jobRepository, PlatformTransactionManager tx, FinalizeTasklet finalizeTasklet) {
        return new StepBuilder(FINALIZE_STEP, jobRepository).tasklet(finalizeTasklet, tx).build();
    }

    @Bean
    @StepScope
    FinalizeTasklet finalizeTasklet(RestorePoints restorePoints, JobRepository jobRepository, Clock clock,
                                    @Value("#{jobParameters['name']}") String name) {
        return new FinalizeTasklet(restorePoints, jobRepository, clock, name);
    }
}
