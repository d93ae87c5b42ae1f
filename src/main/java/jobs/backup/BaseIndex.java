package jobs.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jobs.store.Manifest;
import jobs.store.Packs;
import jobs.store.Packs.Fingerprint;
import jobs.support.Futures;

/**
 * Where each object of the base restore point (the newest finished one of the same selection) is stored: its
 * fingerprint, found in the indexes of the packs the base refers to, gives the pack and line. An object whose
 * fingerprint is here is unchanged and is referred to, not stored again. Any line of a referred pack counts, not
 * only the lines the base holds: content is content.
 *
 * <p>An open-addressing table of primitives, 24 bytes an object at a load of at most one half: 100,000 objects
 * take about 5 MB, where a map of boxed keys would take about 10 MB.
 */
final class BaseIndex {

    static final BaseIndex EMPTY = new BaseIndex(null, List.of(), 0);

    private final String name;
    private final List<Manifest.ChunkRef> packs;
    private final long[] high;
    private final long[] low;
    /** Pack position in {@link #packs} in the high half, line in the low half; 0 for an empty slot, so +1. */
    private final long[] places;
    private final int mask;
    private int size;

    private BaseIndex(String name, List<Manifest.ChunkRef> packs, int expected) {
        this.name = name;
        this.packs = packs;
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        high = new long[capacity];
        low = new long[capacity];
        places = new long[capacity];
        mask = capacity - 1;
    }

    /**
     * Reads the indexes of the packs {@code base} refers to (8 at a time) that were sealed with the key in use; a
     * pack whose index is missing or made under another key is left out, and its objects are stored again.
     */
    static BaseIndex of(Packs packs, Manifest base) {
        List<Manifest.ChunkRef> refs = base.chunks().stream().filter(c -> Packs.isPack(c.blob()))
                .filter(c -> java.util.Objects.equals(c.keyId(), packs.keyId())).toList();
        if (refs.isEmpty()) {
            return EMPTY;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, refs.size()), r -> {
            Thread thread = new Thread(r, "kbackup-base-index");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Optional<List<Fingerprint>>>> reads = new ArrayList<>();
            for (Manifest.ChunkRef ref : refs) {
                reads.add(CompletableFuture.supplyAsync(() -> packs.fingerprints(ref.blob()), pool));
            }
            List<List<Fingerprint>> all = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < reads.size(); i++) {
                List<Fingerprint> fingerprints = Futures.await(reads.get(i), "reading pack index " + refs.get(i).blob())
                        .orElse(List.of());
                all.add(fingerprints);
                total += fingerprints.size();
            }
            BaseIndex index = new BaseIndex(base.name(), refs, total);
            for (int pack = 0; pack < all.size(); pack++) {
                List<Fingerprint> fingerprints = all.get(pack);
                for (int line = 0; line < fingerprints.size(); line++) {
                    index.put(fingerprints.get(line), pack, line);
                }
            }
            return index;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The base restore point's name, null when there is none. */
    String name() {
        return name;
    }

    int size() {
        return size;
    }

    private void put(Fingerprint fingerprint, int pack, int line) {
        int slot = slot(fingerprint);
        if (places[slot] == 0) {
            high[slot] = fingerprint.high();
            low[slot] = fingerprint.low();
            places[slot] = ((long) pack << 32 | line) + 1;
            size++;
        }
    }

    private int slot(Fingerprint fingerprint) {
        int slot = (int) (fingerprint.high() ^ fingerprint.high() >>> 32) & mask;
        while (places[slot] != 0 && (high[slot] != fingerprint.high() || low[slot] != fingerprint.low())) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Where an object of this content is stored, or null. */
    Place find(Fingerprint fingerprint) {
        if (size == 0) {
            return null;
        }
        long place = places[slot(fingerprint)];
        if (place == 0) {
            return null;
        }
        place--;
        return new Place(packs.get((int) (place >>> 32)), (int) place);
    }

    /** A line of a stored pack. */
    record Place(Manifest.ChunkRef pack, int line) {
    }
}
