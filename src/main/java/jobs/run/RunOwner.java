package jobs.run;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jobs.config.KbackupProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Tells a run that is still going from one whose process died, and never lets a live one be recovered under its
 * feet. Each run records how it can be checked, and is checked that way by whoever asks:
 * <ul>
 *   <li>by lease (in a pod): a {@code coordination.k8s.io/v1} Lease named after the execution, renewed three times
 *       per lease duration while the run lives and deleted when it ends. An expired or missing lease means a dead
 *       run, from any pod, at once. A run that finds its own lease taken asks itself to stop.</li>
 *   <li>by process (a local run): host and process id; on this host the process is looked up, on another one the run
 *       counts as dead after {@link KbackupProperties.Run#STALE_AFTER} without a commit.</li>
 * </ul>
 */
@Component
class RunOwner {

    private static final Logger log = LoggerFactory.getLogger(RunOwner.class);
    static final String HOST = "owner.host";
    static final String PID = "owner.pid";
    static final String LEASE = "owner.lease";
    static final String HOLDER = "owner.holder";
    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final ObjectProvider<JobRepository> jobRepository;
    private final ObjectProvider<KubernetesClient> kubernetesClient;
    private final KbackupProperties.Run settings;
    private final Clock clock;
    private final Map<Long, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();
    private ScheduledExecutorService renewer;

    RunOwner(ObjectProvider<JobRepository> jobRepository, ObjectProvider<KubernetesClient> kubernetesClient,
             KbackupProperties properties, Clock clock) {
        this.jobRepository = jobRepository;
        this.kubernetesClient = kubernetesClient;
        this.settings = properties.run();
        this.clock = clock;
    }

    /**
     * Whether the process that runs this execution is still there.
     *
     * @param alive whether it is
     * @param where how that was told, for messages
     */
    record Liveness(boolean alive, String where) {
    }

    /** Records this process as the owner of a starting execution, and takes and keeps renewing its lease. */
    void claim(JobExecution execution) {
        ExecutionContext context = execution.getExecutionContext();
        context.putString(HOST, host());
        context.putLong(PID, ProcessHandle.current().pid());
        if (usesLease()) {
            String namespace = leaseNamespace();
            String name = leaseName(execution);
            String holder = holder();
            leases().take(namespace, name, holder, settings.leaseDuration());
            context.putString(LEASE, namespace + "/" + name);
            context.putString(HOLDER, holder);
            long every = Math.max(1, settings.leaseDuration().toMillis() / 3);
            renewals.put(execution.getId(), renewer().scheduleWithFixedDelay(() -> renew(execution, namespace, name, holder),
                    every, every, TimeUnit.MILLISECONDS));
        }
        jobRepository.getObject().updateExecutionContext(execution);
    }

    /** Stops renewing and gives the lease back once the run has ended. */
    void release(JobExecution execution) {
        ScheduledFuture<?> renewal = renewals.remove(execution.getId());
        if (renewal != null) {
            renewal.cancel(false);
        }
        ExecutionContext context = execution.getExecutionContext();
        if (context.containsKey(LEASE)) {
            String[] lease = context.getString(LEASE).split("/", 2);
            try {
                leases().release(lease[0], lease[1], context.getString(HOLDER));
            } catch (RuntimeException e) {
                log.warn("Could not delete lease {} of execution {} (it expires by itself): {}", context.getString(LEASE),
                        execution.getId(), e.getMessage());
            }
        }
    }

    private void renew(JobExecution execution, String namespace, String name, String holder) {
        try {
            if (!leases().renew(namespace, name, holder)) {
                log.error("Lease {}/{} of execution {} is gone or held by another pod; stopping this run", namespace, name,
                        execution.getId());
                ScheduledFuture<?> renewal = renewals.remove(execution.getId());
                if (renewal != null) {
                    renewal.cancel(false);
                }
                StopRequests.request(jobRepository.getObject(), execution.getId());
            }
        } catch (RuntimeException e) {
            // A blip of the API server: the next renewal comes well before the lease runs out.
            log.warn("Could not renew lease {}/{} of execution {}: {}", namespace, name, execution.getId(), e.getMessage());
        }
    }

    /**
     * @throws Runs.AlreadyRunningException when the execution, recorded as running, is really running
     */
    void refuseIfAlive(JobExecution recorded, String what) {
        JobExecution last = jobRepository.getObject().getJobExecution(recorded.getId());
        if (last == null || !last.getStatus().isRunning()) {
            return;
        }
        Liveness liveness = liveness(last);
        if (liveness.alive()) {
            throw new Runs.AlreadyRunningException(what + " is already running (execution " + last.getId() + ", " + liveness.where()
                    + "); wait for it, or stop it with 'stop " + last.getId() + "'");
        }
    }

    /** Whether the process that runs this execution, recorded as running, is still there. */
    Liveness liveness(JobExecution running) {
        ExecutionContext context = running.getExecutionContext();
        if (context.containsKey(LEASE)) {
            return leaseLiveness(context.getString(LEASE));
        }
        if (context.containsKey(HOST) && host().equals(context.getString(HOST)) && context.containsKey(PID)) {
            long pid = context.getLong(PID);
            boolean alive = pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return new Liveness(alive, "process " + pid);
        }
        LocalDateTime updated = lastUpdate(running);
        boolean alive = updated != null
                && updated.toInstant(ZoneOffset.UTC).plus(KbackupProperties.Run.STALE_AFTER).isAfter(clock.instant());
        return new Liveness(alive, "host " + (context.containsKey(HOST) ? context.getString(HOST) : "unknown") + ", last commit " + updated);
    }

    private Liveness leaseLiveness(String lease) {
        String[] at = lease.split("/", 2);
        try {
            return leases().read(at[0], at[1])
                    .map(state -> new Liveness(!state.expiredAt(clock.instant()), "lease " + lease + " held by " + state.holder()
                            + ", renewed " + Duration.between(state.renewed(), clock.instant()).toSeconds() + " s ago"))
                    .orElse(new Liveness(false, "lease " + lease + " gone"));
        } catch (RuntimeException e) {
            // Unknown is not dead: recovering a live run would run it twice.
            return new Liveness(true, "lease " + lease + " unreadable: " + e.getMessage());
        }
    }

    /** Deletes the expired lease of a dead run once it has been recovered. */
    void clearLease(JobExecution dead) {
        ExecutionContext context = dead.getExecutionContext();
        if (context.containsKey(LEASE)) {
            String[] at = context.getString(LEASE).split("/", 2);
            try {
                leases().clear(at[0], at[1]);
            } catch (RuntimeException e) {
                log.warn("Could not delete the expired lease {}: {}", context.getString(LEASE), e.getMessage());
            }
        }
    }

    private boolean usesLease() {
        return switch (settings.ownership()) {
            case LEASE -> true;
            case PROCESS -> false;
            case AUTO -> System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.exists(SERVICE_ACCOUNT_NAMESPACE);
        };
    }

    private String leaseNamespace() {
        if (settings.leaseNamespace() != null && !settings.leaseNamespace().isBlank()) {
            return settings.leaseNamespace();
        }
        String namespace = kubernetesClient.getObject().getNamespace();
        return namespace == null || namespace.isBlank() ? "default" : namespace;
    }

    /** A name per execution: a restart is a new execution, and a new lease, whoever runs it. */
    static String leaseName(JobExecution execution) {
        return "kbackup-" + execution.getJobInstance().getJobName() + "-" + execution.getId();
    }

    private String holder() {
        for (String candidate : new String[] {settings.holder(), System.getenv("POD_NAME"), System.getenv("HOSTNAME")}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return host();
    }

    private RunLeases leases() {
        return new RunLeases(kubernetesClient.getObject(), clock);
    }

    private synchronized ScheduledExecutorService renewer() {
        if (renewer == null) {
            renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "kbackup-lease-renewal");
                thread.setDaemon(true);
                return thread;
            });
        }
        return renewer;
    }

    private static LocalDateTime lastUpdate(JobExecution execution) {
        LocalDateTime latest = execution.getLastUpdated();
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getLastUpdated() != null && (latest == null || step.getLastUpdated().isAfter(latest))) {
                latest = step.getLastUpdated();
            }
        }
        return latest;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
