package jobs.restore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import jobs.config.KbackupProperties;
import jobs.hooks.RestoreHookRules;
import jobs.kube.Cluster;
import jobs.kube.ResourceType;
import jobs.snapshot.Snapshotter;
import jobs.store.DamagedRestorePointException;
import jobs.store.Manifest;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.store.RestoreRecords;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.configuration.annotation.StepScope;
import jobs.support.JobDefaults;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The restore job: {@code verify} (every chunk against its SHA-256, before any write), {@code apply} (read in
 * priority order, prepare, apply several at once, record each outcome), {@code hooks} (post-restore exec hooks in
 * the restored pods, once they run), {@code finalize} (the restore record).
 */
@Configuration(proxyBeanMethods = false)
public class RestoreJobConfiguration {

    public static final String JOB_NAME = "restore";
    static final String VERIFY_STEP = "verify";
    static final String APPLY_STEP = "apply";
    static final String HOOKS_STEP = "hooks";
    static final String FINALIZE_STEP = "finalize";
    static final String MODIFIERS_BLOB = "modifiers.yaml";
    /** Job parameter: SHA-256 of the resource modifiers the restore was launched with, when it was. */
    static final String MODIFIERS_DIGEST = "modifiersSha256";
    private static final Logger log = LoggerFactory.getLogger(RestoreJobConfiguration.class);

    @Bean
    Job restoreJob(JobRepository jobRepository, JobDefaults jobDefaults, Step restoreVerifyStep, Step restoreApplyStep,
                   Step restoreHooksStep, Step restoreFinalizeStep,
                   RestoreRecords records, Cluster cluster, Clock clock, ReaderMarks readerMarks, KbackupProperties properties) {
        return jobDefaults.builder(JOB_NAME, jobRepository)
                .listener(new RestoreOutcomeListener(records, cluster, clock))
                .listener(new ReadMarkListener(readerMarks, properties.run().leaseDuration()))
                .start(restoreVerifyStep)
                .next(restoreApplyStep)
                .next(restoreHooksStep)
                .next(restoreFinalizeStep)
                .build();
    }

    static Manifest manifest(RestorePoints restorePoints, String backup) {
        return restorePoints.findAuthentic(backup).orElseThrow(() -> new DamagedRestorePointException(backup, "manifest.json", "is missing"));
    }

    @Bean
    Step restoreVerifyStep(JobRepository jobRepository, PlatformTransactionManager tx, VerifyTasklet verifyTasklet) {
        return new StepBuilder(VERIFY_STEP, jobRepository).tasklet(verifyTasklet, tx).build();
    }

    @Bean
    @StepScope
    VerifyTasklet verifyTasklet(RestorePoints restorePoints, @Value("#{stepExecution.jobExecution.jobParameters}") JobParameters p) {
        RestoreParameters parameters = RestoreParameters.of(p);
        return new VerifyTasklet(restorePoints, manifest(restorePoints, parameters.backup()), parameters);
    }

    @Bean
    Step restoreApplyStep(JobRepository jobRepository, PlatformTransactionManager tx, KbackupProperties properties,
                          RestoreReader restoreReader, RestoreProcessor restoreProcessor, RestoreWriter restoreWriter) {
        return new StepBuilder(APPLY_STEP, jobRepository)
                .<RestoreItem, RestoreAction>chunk(properties.restore().commitObjects())
                .transactionManager(tx)
                .reader(restoreReader)
                .processor(restoreProcessor)
                .writer(restoreWriter)
                .build();
    }

    @Bean
    @StepScope
    RestoreReader restoreReader(RestorePoints restorePoints, KbackupProperties properties,
                                @Value("#{stepExecution.jobExecution.jobParameters}") JobParameters p) {
        RestoreParameters parameters = RestoreParameters.of(p);
        Manifest manifest = manifest(restorePoints, parameters.backup());
        return new RestoreReader(restorePoints, manifest,
                RestorePlan.of(manifest, parameters.selection(), properties.restore().priorities()));
    }

    @Bean
    @StepScope
    RestoreProcessor restoreProcessor(RestorePoints restorePoints, RestoreRecords records, KbackupProperties properties,
                                      Cluster cluster, RestoreHookRules restoreHookRules,
                                      @Value("#{stepExecution}") StepExecution stepExecution) {
        JobParameters p = stepExecution.getJobExecution().getJobParameters();
        RestoreParameters parameters = RestoreParameters.of(p);
        Manifest manifest = manifest(restorePoints, parameters.backup());
        Set<String> neededSet = RestoreHandoff.needed(stepExecution.getJobExecution());
        ResourceModifiers modifiers = modifiers(records, parameters.name(), p.getString(MODIFIERS_DIGEST));
        return new RestoreProcessor(parameters, manifest, RestorePlan.of(manifest, parameters.selection(),
                properties.restore().priorities()), neededSet, modifiers, restoreHookRules, cluster);
    }

    @Bean
    @StepScope
    RestoreWriter restoreWriter(Cluster cluster, Snapshotter snapshotter, RestorePoints restorePoints, RestoreRecords records,
                                KbackupProperties properties, Clock clock,
                                @Value("#{stepExecution.jobExecution.jobParameters}") JobParameters p) {
        RestoreParameters parameters = RestoreParameters.of(p);
        Progress progress = new Progress("Restore " + parameters.name(), clock, properties.backup().progressInterval(), log::info);
        // At most this many: the objects of the planned types (filters may leave some out).
        Manifest manifest = manifest(restorePoints, parameters.backup());
        List<String> planned = RestorePlan.of(manifest, parameters.selection(), properties.restore().priorities()).types().stream()
                .map(ResourceType::qualifiedName).toList();
        progress.total(manifest.resources().stream().filter(r -> planned.contains(r.qualifiedName()))
                .mapToLong(Manifest.ResourceCount::count).sum());
        return new RestoreWriter(cluster, new VolumeMaterializer(snapshotter, parameters.name(), parameters.placement(),
                properties.snapshots().timeout()),
                records, parameters, progress, clock, properties.restore().crdTimeout(), properties.restore().parallelism());
    }

    @Bean
    RestoreHookRules restoreHookRules(KbackupProperties properties) {
        return RestoreHookRules.of(properties.hooks().restore());
    }

    @Bean
    Step restoreHooksStep(JobRepository jobRepository, PlatformTransactionManager tx, RestoreHooksTasklet restoreHooksTasklet) {
        return new StepBuilder(HOOKS_STEP, jobRepository).tasklet(restoreHooksTasklet, tx).build();
    }

    /** The hooks step takes the apply step's hook targets (none in a dry run, whose plan lists the hooks instead). */
    @Bean
    @StepScope
    RestoreHooksTasklet restoreHooksTasklet(Cluster cluster, RestoreRecords records, JobRepository jobRepository, Clock clock,
                                            KbackupProperties properties,
                                            @Value("#{stepExecution}") StepExecution stepExecution) {
        RestoreParameters parameters = RestoreParameters.of(stepExecution.getJobExecution().getJobParameters());
        List<HookTarget> targets = RestoreHandoff.applied(jobRepository, stepExecution.getJobExecution()).hookTargets();
        return new RestoreHooksTasklet(cluster, records, parameters.name(), targets, clock, properties.restore().parallelism());
    }

    @Bean
    Step restoreFinalizeStep(JobRepository jobRepository, PlatformTransactionManager tx, RestoreFinalizeTasklet restoreFinalizeTasklet) {
        return new StepBuilder(FINALIZE_STEP, jobRepository).tasklet(restoreFinalizeTasklet, tx).build();
    }

    @Bean
    @StepScope
    RestoreFinalizeTasklet restoreFinalizeTasklet(RestoreRecords records, JobRepository jobRepository, Clock clock,
                                                  @Value("#{jobParameters['name']}") String name) {
        return new RestoreFinalizeTasklet(records, jobRepository, clock, name);
    }

    /** The resource modifiers stored for restore {@code name}, checked against the digest it was launched with. */
    static ResourceModifiers modifiers(RestoreRecords records, String name, String expectedDigest) {
        byte[] stored = records.getBlob(name, MODIFIERS_BLOB).orElse(null);
        if (expectedDigest == null) {
            return ResourceModifiers.NONE;
        }
        if (stored == null || !expectedDigest.equals(digest(stored))) {
            throw new IllegalStateException("the resource modifiers of restore '" + name + "' were not stored (its launch "
                    + "failed before); launch it again with --resource-modifiers");
        }
        return ResourceModifiers.parse(MODIFIERS_BLOB, new String(stored, StandardCharsets.UTF_8));
    }

    static String digest(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
