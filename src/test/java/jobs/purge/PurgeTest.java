package jobs.purge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import jobs.config.KbackupProperties;
import jobs.filter.Selection;
import jobs.snapshot.SnapshotConfiguration;
import jobs.snapshot.Snapshotter;
import jobs.store.BlobStore;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.Manifest.ChunkRef;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.Phase;
import jobs.store.ReaderMarks;
import jobs.store.RestorePoints;
import jobs.testing.ArmCompute;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import jobs.testing.ApiServer;
import jobs.testing.ForwardingBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Purges over real stores (folder and Azurite) with snapshots in the ARM double; time moves through a clock. */
class PurgeTest {

    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    static final RetentionRules RULES = new RetentionRules(Duration.ofDays(7), null, 1, 0, 0, 0);

    @TempDir
    Path dir;
    ArmCompute arm;
    String disk;

    @BeforeEach
    void start() {
        arm = ArmCompute.start();
        disk = arm.addDisk("sub", "rg", "disk-1", "westeurope");
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    Snapshotter snapshotter() {
        return new SnapshotConfiguration().snapshotter(new KbackupProperties(null, null, null, null,
                new KbackupProperties.Snapshots(KbackupProperties.SnapshotProvider.AZURE_DISK, 4, Duration.ofMinutes(1),
                        Duration.ofMillis(20), new KbackupProperties.AzureDisk("sub", "snapshots", null, arm.url(),
                        KbackupProperties.AzureCredential.NONE), new KbackupProperties.Csi(null)), null, null, null, null, null, null), null,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Writes a restore point with two chunks and, for Completed ones, a real snapshot in the ARM double. */
    Manifest write(RestorePoints store, Snapshotter snapshotter, String name, Phase phase, Instant started, Duration ttl) {
        List<ChunkRef> chunks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] bytes = ChunkCodec.encode(List.of(Map.of("kind", "ConfigMap", "metadata", Map.of("name", name + i))));
            // Storage format 1: chunks in the restore point's own folder, which the purge deletes with it.
            store.store().put(RestorePoints.folder(name) + RestorePoints.chunkBlob(i), bytes, Map.of());
            chunks.add(new ChunkRef(RestorePoints.chunkBlob(i), ChunkCodec.sha256(bytes), 1, bytes.length, Map.of("configmaps", 1L), null, null));
        }
        List<VolumeRecord> volumes = new ArrayList<>();
        if (phase == Phase.Completed) {
            var volume = new jobs.snapshot.VolumeRef("pv-" + name, "shop", "data", "disk.csi.azure.com", disk, "8Gi");
            var snapshot = snapshotter.snapshot(name, volume, Duration.ofSeconds(10));
            volumes.add(new VolumeRecord(volume.persistentVolume(), "shop", "data", volume.driver(), "azure-disk",
                    snapshot.snapshotId(), VolumeRecord.COMPLETED, null, snapshot.details()));
        }
        Manifest m = new Manifest(1, name, phase, started, null, started.plus(ttl), "c", Selection.everything(), 2,
                null, chunks, volumes, null, null, null, null, null);
        store.create(m);
        return m;
    }

    void purgeRandomHistoryTwice(RestorePoints store) {
        Snapshotter snapshotter = snapshotter();
        Random random = new Random(7);
        Phase[] phases = {Phase.Completed, Phase.Completed, Phase.PartiallyFailed, Phase.Failed, Phase.InProgress};
        for (int i = 0; i < 16; i++) {
            write(store, snapshotter, "bk-" + i, phases[random.nextInt(phases.length)],
                    NOW.minus(Duration.ofHours(random.nextInt(20 * 24))), Duration.ofDays(1 + random.nextInt(10)));
        }
        Purger purger = new Purger(store, new ReaderMarks(store.store(), Clock.fixed(NOW, ZoneOffset.UTC)), snapshotter, Clock.fixed(NOW, ZoneOffset.UTC));
        List<Decision> expected = RULES.decide(store.list(), NOW, Set.of());
        int snapshotsBefore = arm.snapshots().size();

        PurgeSummary first = purger.purge(RULES, Set.of(), false);

        Set<String> kept = expected.stream().filter(d -> !d.delete()).map(Decision::name).collect(Collectors.toSet());
        Set<String> deleted = expected.stream().filter(Decision::delete).map(Decision::name).collect(Collectors.toSet());
        assertThat(deleted).isNotEmpty();
        assertThat(kept).isNotEmpty();
        assertThat(store.list()).extracting(Manifest::name).containsExactlyInAnyOrderElementsOf(kept);
        for (String name : deleted) {
            assertThat(store.store().list(RestorePoints.folder(name))).as(name + " leaves no blob").isEmpty();
        }
        for (String name : kept) {
            assertThat(store.store().list(RestorePoints.folder(name))).as(name + " keeps its blobs").hasSize(3);
        }
        assertThat(first.deleted()).isEqualTo(deleted.size());
        assertThat(first.bytesFreed()).isPositive();
        assertThat(arm.snapshots()).hasSize(snapshotsBefore - first.snapshotsDeleted());
        assertThat(arm.snapshots()).allSatisfy(s -> assertThat(kept).contains(s.path("tags").path("kbackup-backup").asText()));

        PurgeSummary second = purger.purge(RULES, Set.of(), false);
        assertThat(second.deleted()).as("a second purge deletes nothing").isZero();
    }

    @Test
    void purgesARandomHistoryOnTheFilesystemStore() {
        purgeRandomHistoryTwice(Stored.filesystem(dir));
    }

    @Test
    void purgesARandomHistoryOnAzureBlob() {
        purgeRandomHistoryTwice(Stored.azure("purge-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    @Test
    void aPurgeThatDiesHalfWayIsFinishedByTheNextAndTouchesNothingElse() {
        RestorePoints real = Stored.azure("crash-" + UUID.randomUUID().toString().substring(0, 8));
        Snapshotter snapshotter = snapshotter();
        write(real, snapshotter, "old", Phase.Completed, NOW.minus(Duration.ofDays(20)), Duration.ofDays(7));
        write(real, snapshotter, "new", Phase.Completed, NOW.minus(Duration.ofDays(1)), Duration.ofDays(7));
        // Storage that fails on the second delete: the chunks of 'old' are half gone, its manifest is still there.
        AtomicInteger deletes = new AtomicInteger();
        RestorePoints failing = new RestorePoints(new FailingDeletes(real.store(), deletes, 1));
        Purger crashing = new Purger(failing, new ReaderMarks(failing.store(), Clock.fixed(NOW, ZoneOffset.UTC)), snapshotter, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(() -> crashing.purge(RULES, Set.of(), false)).hasMessageContaining("injected");
        assertThat(real.find("old")).map(Manifest::phase).hasValue(Phase.Deleting);
        assertThat(arm.snapshots()).hasSize(1);

        PurgeSummary finished = new Purger(real, new ReaderMarks(real.store(), Clock.fixed(NOW, ZoneOffset.UTC)), snapshotter, Clock.fixed(NOW, ZoneOffset.UTC)).purge(RULES, Set.of(), false);

        assertThat(finished.deleted()).isEqualTo(1);
        assertThat(real.find("old")).isEmpty();
        assertThat(real.store().list(RestorePoints.folder("old"))).isEmpty();
        assertThat(real.find("new")).map(Manifest::phase).hasValue(Phase.Completed);
        assertThat(real.store().list(RestorePoints.folder("new"))).hasSize(3);
        assertThat(arm.snapshots()).singleElement().satisfies(s -> assertThat(s.path("name").asText()).isEqualTo("kbackup-new-pv-new"));
    }

    @Test
    void aSnapshotThatCannotBeDeletedKeepsItsRestorePointInDeletingUntilTheNextRun() {
        RestorePoints store = Stored.filesystem(dir);
        Snapshotter snapshotter = snapshotter();
        write(store, snapshotter, "old", Phase.Completed, NOW.minus(Duration.ofDays(20)), Duration.ofDays(7));
        write(store, snapshotter, "new", Phase.Completed, NOW.minus(Duration.ofDays(1)), Duration.ofDays(7));
        Purger purger = new Purger(store, new ReaderMarks(store.store(), Clock.fixed(NOW, ZoneOffset.UTC)), snapshotter, Clock.fixed(NOW, ZoneOffset.UTC));
        arm.failDeletes(true);

        PurgeSummary blocked = purger.purge(RULES, Set.of(), false);

        assertThat(blocked.deleted()).isZero();
        assertThat(blocked.keptByReason()).containsEntry("snapshot-delete-failed", 1);
        Manifest old = store.find("old").orElseThrow();
        assertThat(old.phase()).isEqualTo(Phase.Deleting);
        assertThat(old.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("OperationNotAllowed"));
        assertThat(store.store().list(RestorePoints.folder("old"))).hasSize(3);

        arm.failDeletes(false);
        PurgeSummary retried = purger.purge(RULES, Set.of(), false);

        assertThat(retried.deleted()).isEqualTo(1);
        assertThat(retried.snapshotsDeleted()).isEqualTo(1);
        assertThat(store.find("old")).isEmpty();
    }

    @Test
    void theCommandPrintsWhatWouldGoOnADryRunAndThePolicySchedule() throws Exception {
        try (ApiServer api = ApiServer.start()) {
            RestorePoints store = Stored.filesystem(dir);
            Instant now = Instant.now();
            write(store, null, "ancient", Phase.Failed, now.minus(Duration.ofDays(30)), Duration.ofDays(7));
            write(store, null, "recent", Phase.PartiallyFailed, now.minus(Duration.ofDays(1)), Duration.ofDays(7));
            Kbackup kbackup = Kbackup.filesystem(dir, api);

            Kbackup.Result dry = kbackup.run("purge", "--dry-run");

            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            assertThat(dry.out()).contains("WOULD-DEL ancient").contains("KEPT     recent").contains("1 would be deleted");
            assertThat(store.find("ancient")).isPresent();

            Kbackup.Result real = kbackup.run("purge", "--output", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(real.out()).contains("\"deleted\" : 1");
            assertThat(store.find("ancient")).isEmpty();
            assertThat(Files.exists(dir.resolve("backups/backups/ancient"))).isFalse();

            Kbackup.Result policy = kbackup.with("--kbackup.policy.frequency=PT6H", "--kbackup.policy.time=01:30").run("policy");
            assertThat(policy.out()).contains("schedule:  30 1/6 * * *");
            assertThat(policy.out().lines().filter(l -> l.startsWith("  20")).count()).isEqualTo(5);
            Kbackup.Result bad = kbackup.with("--kbackup.policy.frequency=PT5H").run("policy");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.err()).contains("kbackup.policy.frequency must be one of PT4H, PT6H, PT8H, PT12H, P1D");
            assertThat(kbackup.run("purge", "--retention", "400d").err()).contains("--retention: '400d' is longer than the 360 days");
        }
    }

    /** A store whose deletes fail after {@code allowed} of them succeeded, as storage going away mid-purge would. */
    static final class FailingDeletes extends ForwardingBlobStore {

        private final AtomicInteger count;
        private final int allowed;

        FailingDeletes(BlobStore delegate, AtomicInteger count, int allowed) {
            super(delegate);
            this.count = count;
            this.allowed = allowed;
        }

        @Override
        public boolean delete(String key) {
            if (count.incrementAndGet() > allowed) {
                throw new IllegalStateException("injected storage failure deleting " + key);
            }
            return super.delete(key);
        }
    }
}
