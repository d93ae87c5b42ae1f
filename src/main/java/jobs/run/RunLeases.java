package jobs.run;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import jobs.support.InvalidInputException;

/**
 * The {@code coordination.k8s.io/v1} Leases that say which pod runs which job execution, as Kubernetes' own leader
 * election uses them: a holder, a duration and a renew time. A lease whose renew time is older than its duration
 * belongs to a pod that is gone (or cut off), whichever node asks.
 */
final class RunLeases {

    /**
     * What a lease says now.
     *
     * @param holder   the pod (or process) that holds it
     * @param renewed  when it was last renewed
     * @param duration how long it holds after that
     */
    record State(String holder, Instant renewed, Duration duration) {

        boolean expiredAt(Instant now) {
            return renewed == null || !renewed.plus(duration).isAfter(now);
        }
    }

    private final KubernetesClient client;
    private final Clock clock;

    RunLeases(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Creates the lease for {@code holder}; an expired one of the same name is taken over, a live one refused. */
    void take(String namespace, String name, String holder, Duration duration) {
        ZonedDateTime now = now();
        Lease lease = new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "kbackup").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds((int) duration.toSeconds())
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec().build();
        try {
            client.leases().inNamespace(namespace).resource(lease).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw new IllegalStateException("cannot create lease " + namespace + "/" + name + ": " + e.getMessage(), e);
            }
            Lease existing = lease(namespace, name).get();
            State state = existing == null ? null : state(existing);
            if (state != null && !state.expiredAt(clock.instant()) && !holder.equals(state.holder())) {
                throw new InvalidInputException("lease " + namespace + "/" + name + " is held by " + state.holder());
            }
            lease.getMetadata().setResourceVersion(existing == null ? null : existing.getMetadata().getResourceVersion());
            lease.getSpec().setLeaseTransitions(existing == null || existing.getSpec().getLeaseTransitions() == null ? 1
                    : existing.getSpec().getLeaseTransitions() + 1);
            client.leases().inNamespace(namespace).resource(lease).update();
        }
    }

    /**
     * Moves the renew time on, if {@code holder} still holds the lease.
     *
     * @return false when the lease is gone or another holder has it
     */
    boolean renew(String namespace, String name, String holder) {
        Lease lease = lease(namespace, name).get();
        if (lease == null || lease.getSpec() == null || !holder.equals(lease.getSpec().getHolderIdentity())) {
            return false;
        }
        lease.getSpec().setRenewTime(now());
        try {
            // The resourceVersion read above makes this a compare-and-swap: a takeover in between answers 409.
            client.leases().inNamespace(namespace).resource(lease).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    Optional<State> read(String namespace, String name) {
        return Optional.ofNullable(lease(namespace, name).get()).map(RunLeases::state);
    }

    /** Deletes the lease if {@code holder} still holds it; gone already is fine. */
    void release(String namespace, String name, String holder) {
        Lease lease = lease(namespace, name).get();
        if (lease != null && lease.getSpec() != null && holder.equals(lease.getSpec().getHolderIdentity())) {
            lease(namespace, name).delete();
        }
    }

    /** Deletes an expired lease left by a dead holder. */
    void clear(String namespace, String name) {
        lease(namespace, name).delete();
    }

    private Resource<Lease> lease(String namespace, String name) {
        return client.leases().inNamespace(namespace).withName(name);
    }

    private static State state(Lease lease) {
        var spec = lease.getSpec();
        Integer seconds = spec == null ? null : spec.getLeaseDurationSeconds();
        ZonedDateTime renewed = spec == null ? null : spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
        return new State(spec == null ? null : spec.getHolderIdentity(), renewed == null ? null : renewed.toInstant(),
                Duration.ofSeconds(seconds == null ? 0 : seconds));
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
