package jobs.fleet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.config.Fleet;
import jobs.support.InvalidInputException;

/**
 * The {@code kubernetes} runner's Indexed Jobs on the hub's API server: one per run of the {@code members} step, a
 * completion index per partition, each pod running {@code kbackup worker} for the step execution of its index (listed
 * in {@value #STEP_EXECUTIONS} in index order; Kubernetes sets {@code JOB_COMPLETION_INDEX}). The pods copy the
 * manager's own pod when it runs in one: same image, account, security context, configuration and volumes.
 */
class WorkerJobs {

    static final String FLEET_INSTANCE = "kbackup.io/fleet-instance";
    static final String MANAGER_STEP = "kbackup.io/manager-step";
    static final String JOB_EXECUTION = "KBACKUP_WORKER_JOB_EXECUTION";
    static final String STEP_EXECUTIONS = "KBACKUP_WORKER_STEP_EXECUTIONS";
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final KubernetesClient client;
    private final Fleet.Workers settings;
    private final String namespace;

    WorkerJobs(KubernetesClient client, Fleet.Workers settings) {
        this.client = client;
        this.settings = settings;
        this.namespace = settings.namespace() != null && !settings.namespace().isBlank() ? settings.namespace()
                : ownNamespace() != null ? ownNamespace() : client.getNamespace() != null ? client.getNamespace() : "default";
    }

    String namespace() {
        return namespace;
    }

    /** Refuses, before anything runs, a runner that cannot make its pods: outside a pod, with no image configured. */
    void check() {
        if (ownPod() == null && (settings.image() == null || settings.image().isBlank())) {
            throw new InvalidInputException("--runner kubernetes: kbackup.fleet.kubernetes.image is required when kbackup does "
                    + "not run in a pod (in one, workers copy its image)");
        }
    }

    static String name(long instance, long managerStep) {
        return "kbackup-fleet-" + instance + "-" + managerStep;
    }

    /** Creates the Job for these partitions, in index order, {@code parallelism} pods at once. */
    Job create(long instance, long managerStep, long jobExecution, List<Long> stepExecutions, int parallelism) {
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "kbackup", "app.kubernetes.io/component", "fleet-worker",
                FLEET_INSTANCE, Long.toString(instance), MANAGER_STEP, Long.toString(managerStep));
        Pod own = ownPod();
        // The manager pod's own labels too (workload identity, network policies select pods by them), not its Job's.
        Map<String, String> podLabels = new java.util.HashMap<>();
        if (own != null && own.getMetadata().getLabels() != null) {
            own.getMetadata().getLabels().forEach((k, v) -> {
                if (!k.startsWith("batch.kubernetes.io/") && !k.equals("job-name") && !k.equals("controller-uid")) {
                    podLabels.put(k, v);
                }
            });
        }
        podLabels.putAll(labels);
        Job job = new JobBuilder().withNewMetadata().withName(name(instance, managerStep)).withNamespace(namespace).withLabels(labels)
                .endMetadata()
                .withNewSpec().withCompletionMode("Indexed").withCompletions(stepExecutions.size())
                .withParallelism(Math.min(parallelism, stepExecutions.size())).withBackoffLimitPerIndex(settings.backoffLimitPerIndex())
                .withTtlSecondsAfterFinished(86_400)
                .withNewTemplate().withNewMetadata().withLabels(podLabels).endMetadata()
                .withSpec(podSpec(own, jobExecution, stepExecutions)).endTemplate().endSpec().build();
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    }

    private PodSpec podSpec(Pod own, long jobExecution, List<Long> stepExecutions) {
        List<EnvVar> env = List.of(new EnvVar(JOB_EXECUTION, Long.toString(jobExecution), null),
                new EnvVar(STEP_EXECUTIONS, stepExecutions.stream().map(String::valueOf).collect(Collectors.joining(",")), null));
        if (own == null) {
            return new PodSpecBuilder().withRestartPolicy("Never").withServiceAccountName(settings.serviceAccount())
                    .withContainers(new ContainerBuilder().withName("kbackup").withImage(settings.image()).withArgs("worker")
                            .withEnv(env).build()).build();
        }
        PodSpec spec = own.getSpec();
        Container manager = spec.getContainers().get(0);
        List<EnvVar> workerEnv = new ArrayList<>(manager.getEnv() == null ? List.of() : manager.getEnv());
        workerEnv.removeIf(e -> e.getName().equals(JOB_EXECUTION) || e.getName().equals(STEP_EXECUTIONS));
        workerEnv.addAll(env);
        return new PodSpecBuilder().withRestartPolicy("Never").withServiceAccountName(spec.getServiceAccountName())
                .withSecurityContext(spec.getSecurityContext()).withVolumes(spec.getVolumes())
                .withTerminationGracePeriodSeconds(spec.getTerminationGracePeriodSeconds()).withImagePullSecrets(spec.getImagePullSecrets())
                .withNodeSelector(spec.getNodeSelector()).withTolerations(spec.getTolerations())
                .withContainers(new ContainerBuilder().withName("kbackup").withImage(manager.getImage())
                        .withImagePullPolicy(manager.getImagePullPolicy()).withArgs("worker").withEnv(workerEnv)
                        .withEnvFrom(manager.getEnvFrom()).withVolumeMounts(manager.getVolumeMounts())
                        .withSecurityContext(manager.getSecurityContext()).withResources(manager.getResources()).build())
                .build();
    }

    /** The Jobs of a fleet run (its instance) that have not finished: workers a relaunch adopts. */
    List<Job> unfinished(long instance) {
        return client.batch().v1().jobs().inNamespace(namespace).withLabel(FLEET_INSTANCE, Long.toString(instance)).list().getItems()
                .stream().filter(j -> !finished(j)).toList();
    }

    Job get(String name) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    }

    List<Pod> pods(String jobName) {
        return client.pods().inNamespace(namespace).withLabel("job-name", jobName).list().getItems();
    }

    /** Deletes the Job and its pods; Kubernetes stops the pods with SIGTERM, on which workers record STOPPED. */
    void delete(String name) {
        client.batch().v1().jobs().inNamespace(namespace).withName(name)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    /** Deletes every Job of a fleet run (its instance). */
    void deleteAll(long instance) {
        client.batch().v1().jobs().inNamespace(namespace).withLabel(FLEET_INSTANCE, Long.toString(instance)).list().getItems()
                .forEach(j -> delete(j.getMetadata().getName()));
    }

    static boolean finished(Job job) {
        List<JobCondition> conditions = job.getStatus() == null || job.getStatus().getConditions() == null ? List.of()
                : job.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    /** The completion indexes in a Job status's list form, {@code 1,3-5}. */
    static List<Integer> indexes(String list) {
        List<Integer> indexes = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return indexes;
        }
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part.trim() : part.substring(0, dash).trim());
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
            for (int i = from; i <= to; i++) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /** The pod this process runs in, or null outside a cluster. */
    private Pod ownPod() {
        String pod = System.getenv("POD_NAME") != null ? System.getenv("POD_NAME") : System.getenv("HOSTNAME");
        if (ownNamespace() == null || pod == null) {
            return null;
        }
        return client.pods().inNamespace(ownNamespace()).withName(pod).get();
    }

    /** The namespace of this process's pod: POD_NAMESPACE (the downward API), else the service account's, else none. */
    private static String ownNamespace() {
        if (System.getenv("POD_NAMESPACE") != null && !System.getenv("POD_NAMESPACE").isBlank()) {
            return System.getenv("POD_NAMESPACE");
        }
        try {
            return System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.exists(SERVICE_ACCOUNT_NAMESPACE)
                    ? Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
