package jobs.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Plays Kubernetes' Job controller and kubelet for Indexed Jobs on the API double: for each completion index it
 * starts a real child JVM with the pod's command and environment ({@code JOB_COMPLETION_INDEX} added, the workspace's
 * configuration as the image's), at most {@code parallelism} at once, records a Pod per attempt with its phase and
 * container state, retries a failed index up to {@code backoffLimitPerIndex}, and writes the Job's status as the
 * real controller does (active, succeeded, failed, completedIndexes, failedIndexes, Complete or Failed). A deleted Job
 * has its processes stopped with SIGTERM, as a kubelet stops a deleted pod. Independent of production code: it reads
 * only the Job's spec.
 */
public final class JobController implements AutoCloseable {

    /** One pod: a process for one attempt at one index. */
    public record Attempt(String job, int index, int attempt, String pod, Process process, Instant started) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Kbackup workspace;
    private final Map<String, Managed> jobs = new ConcurrentHashMap<>();
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile String imageFailure;

    private final class Managed {
        final Job spec;
        final Map<Integer, Integer> tries = new HashMap<>();
        final Map<Integer, Attempt> active = new HashMap<>();
        final TreeSet<Integer> succeeded = new TreeSet<>();
        final TreeSet<Integer> failed = new TreeSet<>();
        int podsFailed;
        boolean finished;

        Managed(Job spec) {
            this.spec = spec;
        }
    }

    public JobController(ApiServer api, String namespace, Kbackup workspace) {
        this.client = api.client();
        this.namespace = namespace;
        this.workspace = workspace;
        this.loop = new Thread(this::run, "test-job-controller");
        loop.setDaemon(true);
        loop.start();
    }

    /** From now on pods do not start: they stay Pending with this waiting reason, as with an image that cannot be pulled. */
    public void failImagePulls(String reason) {
        this.imageFailure = reason;
    }

    /** Every pod started so far, in order. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Waits until a pod matching {@code which} runs, and returns it. */
    public Attempt await(Predicate<Attempt> which, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (Attempt a : attempts) {
                if (which.test(a) && a.process().isAlive()) {
                    return a;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such pod started within " + seconds + " s; pods: " + attempts);
    }

    private void run() {
        while (running) {
            try {
                tick();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the API double closing under us at the end of a test
            }
        }
    }

    private synchronized void tick() {
        for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
            jobs.computeIfAbsent(job.getMetadata().getName(), n -> new Managed(job));
        }
        for (Map.Entry<String, Managed> entry : jobs.entrySet()) {
            Managed m = entry.getValue();
            if (m.finished) {
                continue;
            }
            if (client.batch().v1().jobs().inNamespace(namespace).withName(entry.getKey()).get() == null) {
                deleted(entry.getKey(), m);
                continue;
            }
            reap(entry.getKey(), m);
            startMore(entry.getKey(), m);
            writeStatus(entry.getKey(), m);
        }
    }

    private void reap(String name, Managed m) {
        int limit = m.spec.getSpec().getBackoffLimitPerIndex() == null ? 6 : m.spec.getSpec().getBackoffLimitPerIndex();
        for (Attempt a : new ArrayList<>(m.active.values())) {
            if (a.process().isAlive()) {
                continue;
            }
            int code = a.process().exitValue();
            m.active.remove(a.index());
            podPhase(a, code == 0 ? "Succeeded" : "Failed", code);
            if (code == 0) {
                m.succeeded.add(a.index());
            } else {
                m.podsFailed++;
                if (m.tries.get(a.index()) > limit) {
                    m.failed.add(a.index());
                }
            }
        }
    }

    private void startMore(String name, Managed m) {
        int completions = m.spec.getSpec().getCompletions();
        int parallelism = m.spec.getSpec().getParallelism() == null ? 1 : m.spec.getSpec().getParallelism();
        for (int index = 0; index < completions && m.active.size() < parallelism; index++) {
            if (m.active.containsKey(index) || m.succeeded.contains(index) || m.failed.contains(index)) {
                continue;
            }
            if (imageFailure != null) {
                pending(name, index);
                continue;
            }
            int attempt = m.tries.merge(index, 1, Integer::sum);
            String pod = name + "-" + index + "-" + attempt;
            Map<String, String> env = new HashMap<>();
            for (EnvVar var : m.spec.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                env.put(var.getName(), var.getValue());
            }
            env.put("JOB_COMPLETION_INDEX", Integer.toString(index));
            env.put("HOSTNAME", pod);
            try {
                List<String> args = m.spec.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
                Process process = workspace.spawn(env, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), args.toArray(String[]::new));
                Attempt a = new Attempt(name, index, attempt, pod, process, Instant.now());
                m.active.put(index, a);
                attempts.add(a);
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(namespace)
                        .addToLabels("job-name", name).addToLabels("batch.kubernetes.io/job-completion-index", Integer.toString(index))
                        .endMetadata().withNewSpec().addNewContainer().withName("kbackup").withImage("test").endContainer().endSpec()
                        .withNewStatus().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder().withName("kbackup")
                                .withState(new ContainerStateBuilder().withNewRunning().endRunning().build()).build()).endStatus()
                        .build()).create();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void pending(String job, int index) {
        String pod = job + "-" + index + "-1";
        if (client.pods().inNamespace(namespace).withName(pod).get() != null) {
            return;
        }
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(namespace)
                .addToLabels("job-name", job).addToLabels("batch.kubernetes.io/job-completion-index", Integer.toString(index))
                .endMetadata().withNewSpec().addNewContainer().withName("kbackup").withImage("test").endContainer().endSpec()
                .withNewStatus().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder().withName("kbackup")
                        .withState(new ContainerStateBuilder().withNewWaiting().withReason(imageFailure)
                                .withMessage("Back-off pulling image \"test\"").endWaiting().build()).build()).endStatus()
                .build()).create();
    }

    private void podPhase(Attempt a, String phase, int code) {
        Pod pod = client.pods().inNamespace(namespace).withName(a.pod()).get();
        if (pod == null) {
            return;
        }
        pod.getStatus().setPhase(phase);
        pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("kbackup")
                .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(code)
                        .withReason(code == 0 ? "Completed" : code == 137 ? "OOMKilled" : "Error").endTerminated().build()).build()));
        client.pods().inNamespace(namespace).resource(pod).update();
    }

    private void writeStatus(String name, Managed m) {
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (job == null) {
            return;
        }
        int completions = m.spec.getSpec().getCompletions();
        JobStatus status = new JobStatus();
        status.setActive(m.active.size());
        status.setSucceeded(m.succeeded.size());
        status.setFailed(m.podsFailed);
        status.setCompletedIndexes(ranges(m.succeeded));
        status.setFailedIndexes(ranges(m.failed));
        if (m.active.isEmpty() && m.succeeded.size() + m.failed.size() == completions) {
            status.setConditions(List.of(new JobConditionBuilder().withType(m.failed.isEmpty() ? "Complete" : "Failed").withStatus("True")
                    .withReason(m.failed.isEmpty() ? null : "FailedIndexes").build()));
            m.finished = true;
        }
        job.setStatus(status);
        client.batch().v1().jobs().inNamespace(namespace).resource(job).update();
    }

    /** What a kubelet does with the pods of a deleted Job: SIGTERM, then the pods go. */
    private void deleted(String name, Managed m) {
        for (Attempt a : m.active.values()) {
            a.process().destroy();
        }
        for (Attempt a : m.active.values()) {
            try {
                if (!a.process().waitFor(120, TimeUnit.SECONDS)) {
                    a.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.pods().inNamespace(namespace).withName(a.pod()).delete();
        }
        m.active.clear();
        m.finished = true;
    }

    private static String ranges(TreeSet<Integer> indexes) {
        return indexes.isEmpty() ? null : indexes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        for (Attempt a : attempts) {
            a.process().destroyForcibly();
        }
    }
}
