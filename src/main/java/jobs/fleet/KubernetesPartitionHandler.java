package jobs.fleet;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jobs.config.Fleet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * The {@code kubernetes} runner, as Spring Batch's remote partitioning without a broker: the partitions' step
 * executions are created here, one Indexed Job runs them (a pod per partition, {@code kbackup worker}), and the
 * manager polls the shared job repository for their outcomes. It also reads the Job's pods, to report those that
 * fail or never start with Kubernetes' reason, and fails a partition whose pods are all spent (its index failed)
 * or that never started, since no worker will record it. A stop of the fleet run deletes the Job: the workers stop
 * on SIGTERM and record STOPPED.
 */
class KubernetesPartitionHandler implements PartitionHandler {

    private static final Logger log = LoggerFactory.getLogger(KubernetesPartitionHandler.class);
    /** Waiting reasons that mean a container will not start without a change: reported and failed at once. */
    private static final Set<String> NEVER_STARTS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private final WorkerJobs workers;
    private final JobRepository jobRepository;
    private final Fleet.Workers settings;
    private final int parallelism;
    private final Clock clock;

    KubernetesPartitionHandler(WorkerJobs workers, JobRepository jobRepository, Fleet.Workers settings, int parallelism, Clock clock) {
        this.workers = workers;
        this.jobRepository = jobRepository;
        this.settings = settings;
        this.parallelism = parallelism;
        this.clock = clock;
    }

    @Override
    public Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution manager) throws Exception {
        List<StepExecution> partitions = new ArrayList<>(splitter.split(manager, parallelism));
        if (partitions.isEmpty()) {
            return partitions;
        }
        partitions.sort(Comparator.comparing(StepExecution::getStepName));
        long instance = manager.getJobExecution().getJobInstance().getInstanceId();
        Job job = workers.create(instance, manager.getId(), manager.getJobExecutionId(),
                partitions.stream().map(StepExecution::getId).toList(), parallelism);
        String name = job.getMetadata().getName();
        log.info("Fleet partitions {} run as Job {}/{}", partitions.stream().map(StepExecution::getStepName).toList(),
                workers.namespace(), name);
        Map<String, String> reported = new java.util.LinkedHashMap<>(); // in the order seen: the last is the latest
        Instant created = clock.instant();
        boolean stopping = false;
        while (true) {
            List<StepExecution> fresh = partitions.stream().map(p -> jobRepository.getStepExecution(p.getId())).toList();
            if (fresh.stream().allMatch(KubernetesPartitionHandler::ended)) {
                return fresh;
            }
            if (!stopping && stopRequested(manager)) {
                log.warn("Fleet run {} is stopping: deleting Job {} so that its workers stop", manager.getJobExecutionId(), name);
                workers.delete(name);
                stopping = true;
            }
            Job current = workers.get(name);
            List<Pod> pods = workers.pods(name);
            Set<Integer> spent = new HashSet<>(current == null || current.getStatus() == null ? List.of()
                    : WorkerJobs.indexes(current.getStatus().getFailedIndexes()));
            for (Pod pod : pods) {
                String reason = trouble(pod, created);
                if (reason != null && reported.put(pod.getMetadata().getName(), reason) == null) {
                    log.warn("Fleet worker pod {} ({}): {}", pod.getMetadata().getName(), partitionOf(pod, partitions), reason);
                }
                if (reason != null && !stopping && neverStarts(pod, created)) {
                    spent.add(index(pod));
                }
            }
            for (int i : spent) {
                StepExecution step = fresh.get(i);
                if (!ended(step)) {
                    String why = reported.entrySet().stream().filter(e -> e.getKey().startsWith(name + "-" + i + "-"))
                            .map(e -> "pod " + e.getKey() + ": " + e.getValue()).reduce((a, b) -> b).orElse("its pods failed");
                    fail(step, why);
                }
            }
            if (current == null && pods.isEmpty()) {
                // No worker is left to record the rest: stopped when the run is stopping, failed when the Job went.
                for (StepExecution s : fresh) {
                    if (!ended(s) && stopping) {
                        stop(s);
                    } else if (!ended(s)) {
                        fail(s, "Job " + name + " was deleted before this partition ended");
                    }
                }
            }
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    private static boolean ended(StepExecution step) {
        return step.getEndTime() != null && !step.getStatus().isRunning();
    }

    private boolean stopRequested(StepExecution manager) {
        JobExecution job = jobRepository.getJobExecution(manager.getJobExecutionId());
        return job == null || job.getStatus() == BatchStatus.STOPPING || job.getStatus() == BatchStatus.STOPPED;
    }

    /** Why a pod is in trouble (failed, or not started), with Kubernetes' reason; null when it is not. */
    static String trouble(Pod pod, Instant created) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
        if ("Failed".equals(phase)) {
            for (ContainerStatus status : statuses) {
                ContainerStateTerminated terminated = status.getState() == null ? null : status.getState().getTerminated();
                if (terminated != null) {
                    return "failed: " + terminated.getReason() + " (exit code " + terminated.getExitCode() + ")"
                            + (terminated.getMessage() == null ? "" : ": " + terminated.getMessage());
                }
            }
            return "failed: " + (pod.getStatus().getReason() == null ? "unknown reason" : pod.getStatus().getReason());
        }
        if ("Pending".equals(phase) || phase == null) {
            for (ContainerStatus status : statuses) {
                ContainerStateWaiting waiting = status.getState() == null ? null : status.getState().getWaiting();
                if (waiting != null && waiting.getReason() != null && NEVER_STARTS.contains(waiting.getReason())) {
                    return "never started: " + waiting.getReason() + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage());
                }
            }
        }
        return null;
    }

    /** A pod that will not start, or has been Pending past the start timeout: its partition will not be recorded by it. */
    private boolean neverStarts(Pod pod, Instant created) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Pending".equals(phase) && phase != null) {
            return false;
        }
        String reason = trouble(pod, created);
        return reason != null && reason.startsWith("never started") || clock.instant().isAfter(created.plus(settings.startTimeout()));
    }

    private static int index(Pod pod) {
        String label = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(WorkerJobs.COMPLETION_INDEX);
        return label == null ? -1 : Integer.parseInt(label);
    }

    private static String partitionOf(Pod pod, List<StepExecution> partitions) {
        int index = index(pod);
        return index >= 0 && index < partitions.size() ? partitions.get(index).getStepName() : "no partition";
    }

    /** Records a partition no worker will record as FAILED, with the reason its pods gave. */
    private void fail(StepExecution step, String reason) {
        end(step, BatchStatus.FAILED, ExitStatus.FAILED.addExitDescription(reason));
        log.error("Fleet partition {} failed: {}", step.getStepName(), reason);
    }

    private void stop(StepExecution step) {
        end(step, BatchStatus.STOPPED, ExitStatus.STOPPED);
    }

    private void end(StepExecution step, BatchStatus status, ExitStatus exit) {
        StepExecution fresh = jobRepository.getStepExecution(step.getId());
        if (fresh == null || ended(fresh)) {
            return;
        }
        fresh.setStatus(status);
        fresh.setExitStatus(exit);
        fresh.setEndTime(LocalDateTime.now());
        jobRepository.update(fresh);
    }
}
