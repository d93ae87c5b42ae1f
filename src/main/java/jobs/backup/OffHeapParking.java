package jobs.backup;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import jobs.kube.ListedObject;
import jobs.kube.ObjectKeys;

/**
 * Keeps big listed objects off the heap while they wait in the read-ahead, and gives them back as ordinary objects
 * when they are taken.
 *
 * <p>Why: a backup of 1 MB Helm release Secrets allocates on the heap at the rate it lists, so young collections
 * come every few objects, and each finds the read-ahead's objects alive. Megabyte arrays then fill the survivor
 * space, the collector lowers the tenuring threshold to 1, and whatever lives a few hundred milliseconds is promoted
 * to the old generation, which the serial collector leaves to grow until it is full: peak heap rose with the
 * objects' size. Parked off the heap, an object is on the heap only while it is parsed and while it is appended to
 * a pack, and the survivor space keeps to what really lives long.
 *
 * <p>Objects under {@value #BIG} bytes stay as they are: they never crowd the survivor space, and a copy would cost
 * the ordinary backup. Buffers are pooled by power-of-two capacity, at most {@code poolBytes} of them kept idle;
 * direct memory is only given back by the collector, so it is reused rather than allocated per object. Objects
 * dropped from the read-ahead (a lister stopped, a page listed again) leave their buffers to the collector.
 */
final class OffHeapParking {

    /** Objects of this many bytes and more are parked off the heap. */
    static final int BIG = 64 * 1024;

    private final long poolBytes;
    private final Map<Integer, Deque<ByteBuffer>> idle = new TreeMap<>();
    private long idleBytes;
    private long allocated;

    /** An object waiting in the read-ahead: its bytes on the heap ({@code json}) or off it ({@code parked}). */
    record Parked(ObjectMeta metadata, String volumeName, byte[] json, ByteBuffer parked) {

        /** Bytes of the object's JSON. */
        int length() {
            return json != null ? json.length : parked.remaining();
        }

        String listKey() {
            return ObjectKeys.listKey(metadata);
        }
    }

    OffHeapParking(long poolBytes) {
        this.poolBytes = poolBytes;
    }

    /** Parks {@code object}: off the heap when it is big. */
    Parked park(ListedObject object) {
        byte[] json = object.json();
        if (json.length < BIG) {
            return new Parked(object.metadata(), object.volumeName(), json, null);
        }
        ByteBuffer buffer = take(capacityFor(json.length));
        buffer.put(json).flip();
        return new Parked(object.metadata(), object.volumeName(), null, buffer);
    }

    /** The object again, its bytes back on the heap; an off-heap buffer goes back to the pool. */
    ListedObject unpark(Parked parked) {
        if (parked.json() != null) {
            return new ListedObject(parked.metadata(), parked.volumeName(), parked.json());
        }
        byte[] json = new byte[parked.parked().remaining()];
        parked.parked().get(json);
        give(parked.parked());
        return new ListedObject(parked.metadata(), parked.volumeName(), json);
    }

    /** Direct memory allocated so far, in bytes: for tests. */
    synchronized long allocatedBytes() {
        return allocated;
    }

    private synchronized ByteBuffer take(int capacity) {
        Deque<ByteBuffer> free = idle.get(capacity);
        if (free != null && !free.isEmpty()) {
            idleBytes -= capacity;
            return free.pop();
        }
        allocated += capacity;
        return ByteBuffer.allocateDirect(capacity);
    }

    private synchronized void give(ByteBuffer buffer) {
        buffer.clear();
        if (idleBytes + buffer.capacity() <= poolBytes) {
            idle.computeIfAbsent(buffer.capacity(), c -> new ArrayDeque<>()).push(buffer);
            idleBytes += buffer.capacity();
        }
    }

    static int capacityFor(int length) {
        return length > 1 << 30 ? length : Math.max(BIG, Integer.highestOneBit(length - 1) << 1);
    }
}
