package jobs.velero;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Clock;
import java.time.Duration;
import jobs.backup.BackupOutcomeListener;
import jobs.backup.PackedItems;
import jobs.backup.RestorePointJob;
import jobs.config.KbackupProperties;
import jobs.store.RestorePoints;
import jobs.support.JobDefaults;
import jobs.support.Json;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The import job: {@code open} (record the restore point InProgress, naming its origin), {@code items} (stream the
 * tarball's items into packs, as a backup stores what it lists, referring to what the last import from the same
 * location stored already), {@code volumes} (Velero's volume files as volume records), {@code finalize} (write the
 * manifest). Every step resumes where it stopped when the same restore point name is launched again.
 */
@Configuration(proxyBeanMethods = false)
public class ImportVeleroJobConfiguration {

    public static final String JOB_NAME = "import-velero";
    static final String OPEN_STEP = "open";
    static final String ITEMS_STEP = "items";
    static final String VOLUMES_STEP = "volumes";
    static final String FINALIZE_STEP = "finalize";

    @Bean
    Job importVeleroJob(JobRepository jobRepository, JobDefaults jobDefaults, Step importOpenStep, Step importItemsStep,
                        Step importVolumesStep, Step importFinalizeStep, RestorePoints restorePoints, Clock clock) {
        return jobDefaults.builder(JOB_NAME, jobRepository)
                .listener(new BackupOutcomeListener(restorePoints, jobRepository, clock, ITEMS_STEP))
                .start(importOpenStep)
                .next(importItemsStep)
                .next(importVolumesStep)
                .next(importFinalizeStep)
                .build();
    }

    /** Its dead runs are marked Failed like a backup's, so their InProgress manifests do not hold off purges. */
    @Bean
    RestorePointJob importRestorePointJob() {
        return new RestorePointJob(JOB_NAME, ITEMS_STEP);
    }

    @Bean
    Step importOpenStep(JobRepository jobRepository, PlatformTransactionManager tx, OpenImportTasklet openImportTasklet) {
        return new StepBuilder(OPEN_STEP, jobRepository).tasklet(openImportTasklet, tx).build();
    }

    @Bean
    @StepScope
    OpenImportTasklet openImportTasklet(RestorePoints restorePoints, Clock clock, KbackupProperties properties,
                                        @Value("#{jobParameters['name']}") String name,
                                        @Value("#{jobParameters['source']}") String source,
                                        @Value("#{jobParameters['ttl']}") String ttl) {
        return new OpenImportTasklet(files(source, properties), restorePoints, clock, name,
                ttl == null ? null : Duration.parse(ttl), properties.policy().retention());
    }

    @Bean
    Step importItemsStep(JobRepository jobRepository, PlatformTransactionManager tx, PackedItems importItems) {
        return new StepBuilder(ITEMS_STEP, jobRepository)
                .tasklet(importItems, tx)
                .stream(importItems)
                .listener((StepExecutionListener) importItems)
                .build();
    }

    @Bean
    @StepScope
    PackedItems importItems(RestorePoints restorePoints, KbackupProperties properties, Clock clock,
                            @Value("#{jobParameters['name']}") String name,
                            @Value("#{jobParameters['source']}") String source) {
        VeleroFiles files = files(source, properties);
        return PackedItems.of(new VeleroItemSource(files), restorePoints, () -> restorePoints.base(files.lineage()),
                properties, clock, name, "Import " + name);
    }

    @Bean
    Step importVolumesStep(JobRepository jobRepository, PlatformTransactionManager tx, ImportVolumesTasklet importVolumesTasklet) {
        return new StepBuilder(VOLUMES_STEP, jobRepository).tasklet(importVolumesTasklet, tx).build();
    }

    @Bean
    @StepScope
    ImportVolumesTasklet importVolumesTasklet(RestorePoints restorePoints, KbackupProperties properties, JobRepository jobRepository,
                                              @Value("#{stepExecution}") StepExecution step,
                                              @Value("#{jobParameters['name']}") String name,
                                              @Value("#{jobParameters['source']}") String source) {
        return new ImportVolumesTasklet(files(source, properties), restorePoints, name, itemsRead(jobRepository, step));
    }

    @Bean
    Step importFinalizeStep(JobRepository jobRepository, PlatformTransactionManager tx, ImportFinalizeTasklet importFinalizeTasklet) {
        return new StepBuilder(FINALIZE_STEP, jobRepository).tasklet(importFinalizeTasklet, tx).build();
    }

    @Bean
    @StepScope
    ImportFinalizeTasklet importFinalizeTasklet(RestorePoints restorePoints, KbackupProperties properties, Clock clock,
                                                JobRepository jobRepository, @Value("#{stepExecution}") StepExecution step,
                                                @Value("#{jobParameters['name']}") String name,
                                                @Value("#{jobParameters['source']}") String source) {
        return new ImportFinalizeTasklet(restorePoints, clock, name, files(source, properties).lineage(),
                itemsRead(jobRepository, step),
                PackedItems.committed(jobRepository, step.getJobExecution().getJobInstance(), ITEMS_STEP));
    }

    private static VeleroFiles files(String source, KbackupProperties properties) {
        return VeleroFiles.of(ImportParameters.source(source), properties.storage());
    }

    /** What the items step committed last: the one handoff from it to the steps after it. */
    private static ItemsRead itemsRead(JobRepository jobRepository, StepExecution step) {
        StepExecution items = jobRepository.getLastStepExecution(step.getJobExecution().getJobInstance(), ITEMS_STEP);
        if (items == null || !items.getExecutionContext().containsKey(ItemsRead.CONTEXT_KEY)) {
            return ItemsRead.none();
        }
        return Json.read(items.getExecutionContext().getString(ItemsRead.CONTEXT_KEY), new TypeReference<ItemsRead>() { });
    }
}
