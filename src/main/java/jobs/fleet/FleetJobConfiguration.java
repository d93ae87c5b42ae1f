package jobs.fleet;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import jobs.config.Fleet;
import jobs.config.KbackupProperties;
import jobs.support.JobDefaults;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * The fleet backup job: one partitioned step, {@code members}, with one partition per member ({@code member:<name>}),
 * each the member's single-cluster backup. A relaunch of the same name reruns only the partitions that did not
 * complete (Spring Batch keeps the completed ones), and each resumes its member's restore point.
 */
@Configuration(proxyBeanMethods = false)
public class FleetJobConfiguration {

    public static final String JOB_NAME = "fleet-backup";
    static final String MEMBERS_STEP = "members";
    static final String MEMBER_STEP = "member";

    @Bean
    Job fleetBackupJob(JobRepository jobRepository, JobDefaults jobDefaults, Step fleetMembersStep) {
        return jobDefaults.builder(JOB_NAME, jobRepository).start(fleetMembersStep).build();
    }

    @Bean
    Step fleetMembersStep(JobRepository jobRepository, MemberPartitioner memberPartitioner, PartitionHandler fleetPartitionHandler) {
        return new StepBuilder(MEMBERS_STEP, jobRepository)
                .partitioner(MEMBER_STEP, memberPartitioner)
                .partitionHandler(fleetPartitionHandler)
                .build();
    }

    @Bean
    @StepScope
    MemberPartitioner memberPartitioner(@Value("#{stepExecution.jobParameters}") JobParameters parameters) {
        return new MemberPartitioner(java.util.List.copyOf(FleetParameters.selections(parameters).keySet()));
    }

    /**
     * The run's runner: {@code local}, partitions on threads of this process, {@code parallelism} at once (Spring
     * Batch's TaskExecutorPartitionHandler); {@code kubernetes}, a pod per partition in one Indexed Job.
     */
    @Bean
    @StepScope
    PartitionHandler fleetPartitionHandler(Step fleetMemberStep, ObjectProvider<KubernetesClient> hub, JobRepository jobRepository,
                                           KbackupProperties properties, Clock clock,
                                           @Value("#{jobParameters['" + FleetParameters.PARALLELISM + "']}") String parallelism,
                                           @Value("#{jobParameters['" + FleetParameters.RUNNER + "']}") String runner) throws Exception {
        int threads = Integer.parseInt(parallelism);
        if ("kubernetes".equals(runner)) {
            Fleet.Workers settings = properties.fleet().kubernetes();
            return new KubernetesPartitionHandler(new WorkerJobs(hub.getObject(), settings), jobRepository, settings, threads, clock);
        }
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("member-");
        executor.setConcurrencyLimit(threads);
        TaskExecutorPartitionHandler handler = new TaskExecutorPartitionHandler();
        handler.setStep(fleetMemberStep);
        handler.setTaskExecutor(executor);
        handler.setGridSize(threads);
        handler.afterPropertiesSet();
        return handler;
    }

    @Bean
    Step fleetMemberStep(JobRepository jobRepository, MemberContexts memberContexts) {
        return new MemberBackupStep(MEMBER_STEP, jobRepository, memberContexts);
    }
}
