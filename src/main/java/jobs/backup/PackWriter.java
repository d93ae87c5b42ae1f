package jobs.backup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.PackBuffer;
import jobs.store.Packs;
import jobs.store.Packs.Fingerprint;
import jobs.store.StorageException;
import jobs.support.Futures;
import jobs.support.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;

/**
 * Writes the objects of each part that are not stored already into one new pack, and refers to the others where
 * they are. A part is what one pack is filled from; a commit holds one part or more ({@link ResourcesTasklet}). An
 * object is unchanged when its fingerprint is in the base restore point's pack indexes
 * ({@link BaseIndex}); an unchanged cluster then costs no pack at all, and a changed object costs its own bytes in
 * the next pack, not those of its neighbours.
 *
 * <p>New objects are compressed as they are appended, so a pack is held compressed only, in a reused buffer off the
 * heap. Sealed packs are stored on threads of their own while the next part is read, at most {@code inFlightLimit}
 * at a time: storage latency overlaps the listing. Each part's references are applied to the saved state
 * ({@link PackRefs}) only once its pack is stored, so the committed restart state never claims a pack that is not
 * there ({@link StoredCheckpoint}).
 *
 * <p>Before referring to any pack the writer waits for a purge's sweep under way to end: the sweep may be deleting
 * packs no manifest refers to yet. The backup's manifest says InProgress by then, so a sweep that starts later sees
 * it and leaves every pack alone.
 */
class PackWriter implements ItemStream {

    private static final Logger log = LoggerFactory.getLogger(PackWriter.class);
    /** Parts sealed so far; the key's name predates the word, and saved restart states carry it. */
    static final String NEXT_PART = "writer.nextChunk";
    private static final Duration SWEEP_POLL = Duration.ofMillis(500);
    /** A new pack buffer's capacity; it grows to what a pack needs and keeps that size from then on. */
    private static final int FIRST_BUFFER = 256 * 1024;

    private final Packs packs;
    private final BaseSource baseSource;
    private final String name;
    private final Progress progress;
    private final Clock clock;
    private final int compressionLevel;
    private final int inFlightLimit;
    /** Parts handed to the uploaders, oldest first, until applied to {@link #durable}. */
    private final Deque<Part> inFlight = new ArrayDeque<>();
    /**
     * Pack buffers back from the uploaders, reused: at most one per pack in flight and one filling are ever made
     * ({@link PackBuffer} says why they are off the heap).
     */
    private final Queue<PackBuffer> buffers = new ConcurrentLinkedQueue<>();
    private int nextPart;
    private ExecutorService uploaders;
    private BaseIndex base = BaseIndex.EMPTY;
    private PackRefs durable = new PackRefs();
    private Packs.Hash fingerprints;
    private Part filling;

    /** Finds the restore point whose packs a backup may refer to. */
    interface BaseSource {
        Optional<Manifest> base();
    }

    /** One part: the objects found stored, and the new pack, if any. */
    private final class Part {
        final int index;
        final List<BaseIndex.Place> reused = new ArrayList<>();
        final List<String> reusedTypes = new ArrayList<>();
        final List<Integer> reusedLengths = new ArrayList<>();
        ChunkCodec.LineEncoder pack;
        PackBuffer buffer;
        Packs.Hash address;
        List<Fingerprint> packFingerprints;
        Map<String, Long> packTypes;
        CompletableFuture<Packs.Stored> stored;

        Part(int index) {
            this.index = index;
        }

        boolean isStored() {
            return stored == null || stored.isDone() && !stored.isCompletedExceptionally();
        }

        void applyTo(PackRefs refs) {
            for (int i = 0; i < reused.size(); i++) {
                BaseIndex.Place place = reused.get(i);
                refs.reuse(place.pack(), place.line(), reusedTypes.get(i), reusedLengths.get(i));
            }
            if (stored != null) {
                refs.stored(stored.join(), packFingerprints.size(), packTypes, pack.rawBytes());
            }
        }
    }

    PackWriter(Packs packs, BaseSource baseSource, String name, Progress progress, Clock clock, int compressionLevel,
               int inFlightLimit) {
        this.packs = packs;
        this.baseSource = baseSource;
        this.name = name;
        this.progress = progress;
        this.clock = clock;
        this.compressionLevel = compressionLevel;
        this.inFlightLimit = inFlightLimit;
    }

    @Override
    public void open(ExecutionContext context) {
        nextPart = context.getInt(NEXT_PART, 0);
        durable = PackRefs.fromJson(context.containsKey(PackRefs.CONTEXT_KEY) ? context.getString(PackRefs.CONTEXT_KEY) : null);
        inFlight.clear();
        filling = null;
        fingerprints = packs.hash(Packs.Kind.FINGERPRINT);
        uploaders = Executors.newFixedThreadPool(inFlightLimit, r -> {
            Thread thread = new Thread(r, "kbackup-pack-store");
            thread.setDaemon(true);
            return thread;
        });
        awaitSweep();
        base = baseSource.base().filter(m -> !m.name().equals(name)).map(m -> BaseIndex.of(packs, m)).orElse(BaseIndex.EMPTY);
        if (base.name() != null) {
            log.info("Backup {} refers to unchanged objects stored by {} ({} objects indexed)", name, base.name(), base.size());
        }
    }

    /** Waits while a purge sweeps packs; a sweep whose deadline passed is dead (its purge stops deleting by then). */
    private void awaitSweep() {
        Optional<Instant> sweep;
        boolean logged = false;
        while ((sweep = packs.sweepUnderWay(clock.instant())).isPresent()) {
            if (!logged) {
                log.info("Backup {} waits for a purge's sweep of unreferenced packs (until {} at the latest)", name, sweep.get());
                logged = true;
            }
            try {
                Thread.sleep(SWEEP_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for a purge's sweep", e);
            }
        }
    }

    /** Appends an object: referred to where it is stored already, else added to the part's new pack. */
    void append(BackupItem item) {
        if (filling == null) {
            filling = new Part(nextPart);
        }
        byte[] line = item.object().json();
        Fingerprint fingerprint = fingerprints.fingerprint(line);
        BaseIndex.Place place = base.find(fingerprint);
        String type = item.type().qualifiedName();
        if (place != null) {
            filling.reused.add(place);
            filling.reusedTypes.add(type);
            filling.reusedLengths.add(line.length + 1);
            return;
        }
        if (filling.pack == null) {
            filling.buffer = buffers.poll();
            if (filling.buffer == null) {
                filling.buffer = PackBuffer.direct(FIRST_BUFFER);
            }
            filling.pack = new ChunkCodec.LineEncoder(compressionLevel, filling.buffer);
            filling.address = packs.hash(Packs.Kind.ADDRESS);
            filling.packFingerprints = new ArrayList<>();
            filling.packTypes = new TreeMap<>();
        }
        filling.pack.append(line);
        // The address hashes the fingerprints, not the bytes again: each object is hashed once.
        filling.address.update(fingerprint.bytes());
        filling.packFingerprints.add(fingerprint);
        filling.packTypes.merge(type, 1L, Long::sum);
    }

    /** Objects appended to the part so far, stored already or not. */
    int fillingObjects() {
        return filling == null ? 0 : filling.reused.size() + (filling.pack == null ? 0 : (int) filling.pack.lines());
    }

    /** Objects in the part's new pack. */
    int fillingNew() {
        return filling == null || filling.pack == null ? 0 : (int) filling.pack.lines();
    }

    /** Uncompressed bytes in the part's new pack. */
    long fillingBytes() {
        return filling == null || filling.pack == null ? 0 : filling.pack.rawBytes();
    }

    /** Ends the part: its new pack, if any, goes to the uploaders. */
    void seal() {
        if (filling == null) {
            return;
        }
        while (!inFlight.isEmpty() && (inFlight.size() >= inFlightLimit || inFlight.peekFirst().isStored())) {
            awaitOldest();
        }
        Part part = filling;
        filling = null;
        nextPart++;
        if (part.pack != null) {
            String address = Packs.hex(part.address.finish());
            part.stored = CompletableFuture.supplyAsync(() -> {
                try {
                    packs.putIndex(address, part.packFingerprints);
                    return packs.putPack(address, part.pack.finishInPlace());
                } finally {
                    buffers.offer(part.buffer);
                }
            }, uploaders)
                    .whenComplete((stored, failure) -> {
                        if (failure == null) {
                            part.packTypes.forEach(progress::add);
                        }
                    });
        }
        part.reusedTypes.forEach(t -> progress.add(t, 1));
        inFlight.addLast(part);
    }

    /** Waits for every pack in flight; the first failure is thrown here, as the synchronous store would have. */
    void awaitStored() {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    private void awaitOldest() {
        Part oldest = inFlight.peekFirst();
        if (oldest.stored != null) {
            Futures.await(oldest.stored, "storing the pack of part " + oldest.index + " of " + name);
        }
        inFlight.removeFirst();
        oldest.applyTo(durable);
    }

    /** How many parts, from the first, are stored: all up to the oldest one whose pack is not stored yet. */
    int storedParts() {
        for (Part part : inFlight) {
            if (!part.isStored()) {
                return part.index;
            }
        }
        return nextPart;
    }

    /**
     * Saves the references of the first {@code parts} parts, all stored, into {@code context}: the state a
     * resumed run goes on from.
     */
    void saveStored(ExecutionContext context, int parts) {
        while (!inFlight.isEmpty() && inFlight.peekFirst().index < parts) {
            Part oldest = inFlight.removeFirst();
            oldest.applyTo(durable);
        }
        context.putString(PackRefs.CONTEXT_KEY, durable.toJson());
    }

    /** Lets every pack in flight finish, stored or not, without throwing: for a step that has already ended. */
    void settle() {
        for (Part part : inFlight) {
            if (part.stored == null) {
                continue;
            }
            try {
                part.stored.join();
            } catch (RuntimeException e) {
                // Not stored: the committed state does not count it, and the resumed run writes it again.
                log.debug("The pack of part {} of {} was not stored: {}", part.index, name, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        try {
            settle();
        } finally {
            inFlight.clear();
            if (uploaders != null) {
                uploaders.shutdownNow();
            }
            progress.finish();
        }
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(NEXT_PART, nextPart);
    }
}
