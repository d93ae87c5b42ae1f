package jobs.purge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jobs.store.BlobStore;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.Phase;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.ForwardingBlobStore;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mark and sweep of packs: over random histories of real backups (some killed and resumed) and purges killed at
 * random points, on both stores, no restore point ever loses a pack, and a purge that runs to its end leaves no pack
 * that nothing refers to. And the race: a backup that starts while a sweep is under way waits for it.
 */
class PackSweepTest {

    private static final int NAMESPACES = 4;
    private static final int PER_NAMESPACE = 12;

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void start() {
        api = ApiServer.start();
        for (int n = 0; n < NAMESPACES; n++) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("sw-" + n).endMetadata().build());
            for (int i = 0; i < PER_NAMESPACE; i++) {
                api.create(configMap(n, i, "v0"));
            }
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap configMap(int namespace, int index, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName("cm-" + index).withNamespace("sw-" + namespace).endMetadata()
                .addToData("value", value).build();
    }

    private record Store(Kbackup kbackup, RestorePoints stored) {
    }

    private Store store(String type) throws Exception {
        Files.createDirectories(dir.resolve(type));
        String[] small = {"--kbackup.backup.pack-objects=5", "--kbackup.kube.page-size=5"};
        if (type.equals("azure")) {
            String container = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
            return new Store(Kbackup.azure(dir.resolve(type), api, container).with(small), Stored.azure(container));
        }
        return new Store(Kbackup.filesystem(dir.resolve(type), api).with(small), Stored.filesystem(dir.resolve(type)));
    }

    private static void backup(Store store, String name) {
        Kbackup.Result result = store.kbackup().run("backup", "--name", name, "--include-namespaces=sw-*",
                "--snapshot-volumes", "false");
        assertThat(result.exitCode()).as(result.toString()).isZero();
    }

    /** Changes, deletes and adds objects at random, so that some packs end up referred to by old restore points only. */
    private void churn(Random random, int round) {
        var client = api.client();
        for (int n = 0; n < NAMESPACES; n++) {
            for (int i = 0; i < PER_NAMESPACE; i++) {
                int dice = random.nextInt(10);
                var resource = client.configMaps().inNamespace("sw-" + n).withName("cm-" + i);
                if (dice < 3) {
                    if (resource.get() != null) {
                        resource.edit(c -> {
                            c.getData().put("value", "r" + round);
                            return c;
                        });
                    } else {
                        api.create(configMap(n, i, "back-" + round));
                    }
                } else if (dice == 3) {
                    resource.delete();
                }
            }
        }
    }

    /** Every pack a manifest refers to, by address. */
    private static Set<String> referenced(RestorePoints stored) {
        Set<String> referenced = new TreeSet<>();
        for (Manifest m : stored.list()) {
            m.chunks().stream().filter(c -> Packs.isPack(c.blob())).forEach(c -> referenced.add(Packs.address(c.blob())));
        }
        return referenced;
    }

    private static void assertNoRestorePointLostAPack(RestorePoints stored, String when) {
        for (Manifest m : stored.list()) {
            assertThat(stored.damage(m, false)).as(when + ": " + m.name() + " (" + m.phase() + ")").isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "azure"})
    void randomHistoriesWithRandomKillsNeverLoseAReferencedPackAndLeaveNoGarbage(String type) throws Exception {
        Store store = store(type);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int backups = 0;
        int killedPurges = 0;
        int heldByDeadRuns = 0;
        Instant clock = Instant.now();
        for (int round = 0; round < 6; round++) {
            String name = "h-" + backups++;
            if (round % 3 == 1) {
                // A backup killed at a random point, then resumed: what it stored before dying stays usable.
                api.listLatency(Duration.ofMillis(100));
                Process killed = store.kbackup().spawn("backup", "--name", name, "--include-namespaces=sw-*", "--snapshot-volumes", "false");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (store.stored().find(name).isEmpty() && killed.isAlive()) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                Thread.sleep(300 + random.nextInt(1200));
                killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                api.listLatency(Duration.ZERO);
                // A purge job before the retry: it marks the dead run Failed, with the packs it had stored, and sweeps.
                Kbackup.Result purge = store.kbackup().run("purge");
                assertThat(purge.exitCode()).as(purge.toString()).isZero();
                Optional<Manifest> dead = store.stored().find(name);
                if (dead.isPresent() && dead.get().phase() != Phase.Completed) {
                    assertThat(dead.get().phase()).isEqualTo(Phase.Failed);
                    heldByDeadRuns += dead.get().chunks().size();
                }
                assertNoRestorePointLostAPack(store.stored(), "seed " + seed + ", after a purge of dead run " + name);
            }
            backup(store, name);
            churn(random, round);
            assertNoRestorePointLostAPack(store.stored(), "seed " + seed + ", after backup " + name);

            // A purge that keeps the newest one to three, killed after a random number of writes and deletes.
            clock = clock.plus(Duration.ofDays(40));
            RetentionRules rules = new RetentionRules(Duration.ofDays(30), null, 1 + random.nextInt(3), 0, 0, 0);
            int budget = random.nextInt(8);
            RestorePoints dying = new RestorePoints(new Killable(store.stored().store(), budget));
            try {
                purger(dying, clock).purge(rules, Set.of(), false);
            } catch (Killable.Killed e) {
                killedPurges++;
            }
            assertNoRestorePointLostAPack(store.stored(), "seed " + seed + ", after a purge killed after " + budget + " writes");

            // The rerun finishes the job: every pack referred to is there, and no other.
            PurgeSummary rerun = purger(store.stored(), clock).purge(rules, Set.of(), false);
            assertThat(rerun.sweep().deferred()).as("seed " + seed).isNull();
            assertNoRestorePointLostAPack(store.stored(), "seed " + seed + ", after the rerun");
            assertThat(store.stored().packs().stored().keySet()).as("seed " + seed + ": packs stored after a full purge")
                    .isEqualTo(referenced(store.stored()));
        }
        assertThat(killedPurges).as("seed " + seed + ": some purges were really killed").isPositive();
        System.out.printf("seed %d: %d purges killed, %d packs held by dead runs%n", seed, killedPurges, heldByDeadRuns);
        // The newest restore point restores whole: the same objects as a backup of the cluster taken now, less churn.
        assertThat(Stored.keys(store.stored(), "h-" + (backups - 1))).doesNotHaveDuplicates();
    }

    private static Purger purger(RestorePoints stored, Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new Purger(stored, new ReaderMarks(stored.store(), clock), null, clock);
    }

    /**
     * The race: a sweep has read every manifest (no backup was in progress) and is about to list the packs; a backup
     * starts and would store a pack the sweep then finds unreferenced. The backup must wait for the sweep.
     */
    @Test
    void aBackupThatStartsDuringASweepWaitsForItAndLosesNothing() throws Exception {
        Store store = store("filesystem");
        backup(store, "first");
        CountDownLatch listing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RestorePoints pausing = new RestorePoints(new PausingList(store.stored().store(), listing, release));
        CompletableFuture<PackSweep.Result> sweep = CompletableFuture.supplyAsync(
                () -> new PackSweep(pausing, Clock.systemUTC()).sweep(false));
        assertThat(listing.await(30, TimeUnit.SECONDS)).isTrue();

        // Everything changed: the backup's objects all go into new packs, which no manifest refers to yet.
        for (int n = 0; n < NAMESPACES; n++) {
            for (int i = 0; i < PER_NAMESPACE; i++) {
                int index = i;
                api.client().configMaps().inNamespace("sw-" + n).withName("cm-" + i).edit(c -> {
                    c.getData().put("value", "new-" + index);
                    return c;
                });
            }
        }
        Set<String> before = new HashSet<>(store.stored().packs().stored().keySet());
        CompletableFuture<Kbackup.Result> second = CompletableFuture.supplyAsync(() -> store.kbackup().run("backup", "--name",
                "second", "--include-namespaces=sw-*", "--snapshot-volumes", "false"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.stored().find("second").isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(1500);
        assertThat(store.stored().packs().stored().keySet()).as("no pack stored while the sweep is under way").isEqualTo(before);
        assertThat(second).isNotDone();

        release.countDown();
        assertThat(sweep.get(30, TimeUnit.SECONDS).deferred()).isNull();
        Kbackup.Result result = second.get(60, TimeUnit.SECONDS);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Manifest manifest = Stored.manifest(store.stored(), "second");
        assertThat(manifest.storage().newPacks()).isPositive();
        assertThat(store.stored().damage(manifest, true)).isEmpty();
        assertThat(Stored.objects(store.stored(), "second")).hasSize(NAMESPACES * PER_NAMESPACE + NAMESPACES);
    }

    @Test
    void aSweepSeesABackupInProgressAndDeletesNothing() throws Exception {
        Store store = store("filesystem");
        backup(store, "first");
        // Garbage: a pack no manifest refers to, as a killed backup leaves it.
        String address = store.stored().packs().addressOf(List.of(store.stored().packs().hash(Packs.Kind.FINGERPRINT)
                .fingerprint("{}".getBytes())));
        store.stored().store().put(Packs.blob(address), new byte[] {1}, Map.of());
        store.stored().create(Manifest.started("running", Instant.now(), Instant.now().plus(Duration.ofDays(1)), "c",
                jobs.filter.Selection.everything()));

        PackSweep.Result deferred = new PackSweep(store.stored(), Clock.systemUTC()).sweep(false);

        assertThat(deferred.deferred()).isEqualTo("backup 'running' is in progress");
        assertThat(store.stored().packs().stored()).containsKey(address);
        store.stored().update("running", m -> m.withPhase(Phase.Failed));
        PackSweep.Result swept = new PackSweep(store.stored(), Clock.systemUTC()).sweep(false);
        assertThat(swept.packs()).isEqualTo(1);
        assertThat(store.stored().packs().stored()).doesNotContainKey(address);
        assertNoRestorePointLostAPack(store.stored(), "after the sweep");
        assertThat(store.stored().store().get("packs/.sweep")).isEmpty();
    }

    /** A store that dies, as a killed process would, after a number of writes and deletes. */
    static final class Killable extends ForwardingBlobStore {

        static final class Killed extends RuntimeException {
            Killed() {
                super("killed");
            }
        }

        private final AtomicInteger budget;

        Killable(BlobStore store, int budget) {
            super(store);
            this.budget = new AtomicInteger(budget);
        }

        @Override
        protected void beforeWrite() {
            if (budget.getAndDecrement() <= 0) {
                throw new Killed();
            }
        }
    }

    /** A store whose first listing of packs waits for a signal: the sweep paused between its mark and its sweep. */
    static final class PausingList extends ForwardingBlobStore {

        private final CountDownLatch listing;
        private final CountDownLatch release;

        PausingList(BlobStore store, CountDownLatch listing, CountDownLatch release) {
            super(store);
            this.listing = listing;
            this.release = release;
        }

        @Override
        public List<BlobEntry> list(String prefix) {
            if (prefix.equals(Packs.ROOT) && listing.getCount() > 0) {
                listing.countDown();
                try {
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return super.list(prefix);
        }
    }
}
