package jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run ownership by Kubernetes Lease, as the CronJobs run in a cluster: each pod is told apart by its holder name
 * only (both "pods" here share a host, so the process rule could not tell them apart, and the old rule gave another
 * host's silent run 15 minutes). A live run's lease is renewed and a second launch refused; once the pod is killed
 * and its lease runs out, the next launch recovers the run at once.
 */
class RunLeaseTest {

    static final int OBJECTS = 200;
    static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    Path dir;
    ApiServer api;
    EmbeddedPostgres postgres;
    RestorePoints stored;
    Kbackup podA;
    Kbackup podB;

    @BeforeEach
    void cluster() throws IOException {
        // Pods share a PostgreSQL job repository, as the shipped manifests set them up.
        postgres = EmbeddedPostgres.builder().start();
        api = ApiServer.start();
        api.create(new NamespaceBuilder().withNewMetadata().withName("kbackup").endMetadata().build());
        api.create(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build());
        for (int i = 0; i < OBJECTS; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%04d", i)).withNamespace("shop")
                    .endMetadata().addToData("n", Integer.toString(i)).build());
        }
        stored = Stored.filesystem(dir);
        Kbackup inCluster = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=10", "--kbackup.backup.pack-objects=10",
                "--kbackup.run.ownership=lease", "--kbackup.run.lease-namespace=kbackup",
                "--kbackup.run.lease-duration=" + LEASE.toSeconds() + "s",
                "--kbackup.backup.include-namespaces=shop",
                "--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres");
        podA = inCluster.with("--kbackup.run.holder=kbackup-backup-29412345-a");
        podB = inCluster.with("--kbackup.run.holder=kbackup-backup-29412345-b");
    }

    @AfterEach
    void stop() throws IOException {
        api.close();
        postgres.close();
    }

    private List<Lease> leases() {
        return api.client().leases().inNamespace("kbackup").list().getItems();
    }

    @Test
    void aLiveRunKeepsItsLeaseAndIsRefusedThenRecoveredAtOnceWhenItsPodDies() throws Exception {
        api.listLatency(Duration.ofMillis(150));
        Process process = podA.spawn("backup", "--name", "nightly");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (leases().isEmpty() || stored.find("nightly").isEmpty() || Stored.packs(stored) < 2) {
                assertThat(process.isAlive()).as("the backup should still be running").isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            Lease lease = leases().get(0);
            assertThat(lease.getMetadata().getName()).startsWith("kbackup-backup-");
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("kbackup-backup-29412345-a");
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(3);

            // Past a whole lease duration the run still holds it: it is renewed, so the run is alive.
            Thread.sleep(LEASE.toMillis() + 1000);
            Kbackup.Result second = podB.run("backup", "--name", "nightly");

            assertThat(second.exitCode()).as(second.toString()).isEqualTo(2);
            assertThat(second.err()).contains("backup 'nightly' is already running")
                    .contains("lease kbackup/" + lease.getMetadata().getName() + " held by kbackup-backup-29412345-a");
            assertThat(leases().get(0).getSpec().getRenewTime()).isAfter(lease.getSpec().getRenewTime());
        } finally {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        api.listLatency(Duration.ZERO);
        Lease orphan = leases().get(0);
        Instant expires = orphan.getSpec().getRenewTime().toInstant().plus(LEASE);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expires).toMillis() + 200));

        Kbackup.Result recovered = podB.run("backup", "--name", "nightly");

        assertThat(recovered.exitCode()).as(recovered.toString()).isZero();
        assertThat(Stored.manifest(stored, "nightly").phase()).isEqualTo(Phase.Completed);
        assertThat(Stored.keys(stored, "nightly")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
        assertThat(leases()).as("the dead pod's lease is cleared, and the finished run gives its own back").isEmpty();
    }

    @Test
    void aRunWhoseLeaseIsTakenByAnotherPodStopsItselfAndResumesLater() throws Exception {
        api.listLatency(Duration.ofMillis(150));
        CompletableFuture<Kbackup.Result> run = CompletableFuture.supplyAsync(() -> podA.run("backup", "--name", "fenced"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (leases().isEmpty() || stored.find("fenced").isEmpty() || Stored.packs(stored) < 2) {
            assertThat(run).isNotDone();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }

        // What a pod that wrongly believed the run dead would do.
        for (boolean taken = false; !taken; ) {
            Lease lease = leases().get(0);
            lease.getSpec().setHolderIdentity("impostor");
            try {
                api.client().leases().inNamespace("kbackup").resource(lease).update();
                taken = true;
            } catch (KubernetesClientException e) {
                assertThat(e.getCode()).as("only a renewal in between may refuse the update").isEqualTo(409);
            }
        }
        Kbackup.Result stopped = run.get(60, TimeUnit.SECONDS);

        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.out() + stopped.err()).contains("STOPPED");
        assertThat(Stored.manifest(stored, "fenced").phase()).isEqualTo(Phase.InProgress);
        assertThat(leases()).as("a lease the run no longer holds is not its to delete").hasSize(1);
        api.listLatency(Duration.ZERO);

        Kbackup.Result resumed = podB.run("backup", "--name", "fenced");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.keys(stored, "fenced")).doesNotHaveDuplicates().hasSize(OBJECTS + 1);
    }
}
