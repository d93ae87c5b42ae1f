package jobs.store;

import java.nio.ByteBuffer;

/**
 * Where a pack is encoded: its compressed bytes, growable and reusable ({@link #reset()} keeps the capacity), with a
 * staging buffer for the bytes on their way into the compressor. The backup uses direct (off-heap) ones, pooled,
 * for two reasons seen with 1 MB objects under the serial collector: a pack of megabytes lives as long as it fills
 * and uploads, long enough to be promoted and left as old-generation garbage; and a compressor given heap arrays
 * holds them in JNI critical sections, which hold off collections and send other threads' allocations straight into
 * the old generation meanwhile. Between direct buffers it needs neither.
 */
public final class PackBuffer {

    private static final int STAGING = 64 * 1024;

    private final boolean direct;
    private final ByteBuffer staging;
    private ByteBuffer bytes;

    private PackBuffer(boolean direct, int capacity) {
        this.direct = direct;
        this.staging = allocate(STAGING);
        this.bytes = allocate(capacity);
    }

    /** A buffer off the heap, for packs. */
    public static PackBuffer direct(int capacity) {
        return new PackBuffer(true, capacity);
    }

    /** A buffer on the heap, for small encodings where a direct buffer's allocation cost is not worth it. */
    public static PackBuffer heap(int capacity) {
        return new PackBuffer(false, capacity);
    }

    private ByteBuffer allocate(int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    /** Empties the buffer for the next pack, keeping its capacity. */
    public void reset() {
        bytes.clear();
        staging.clear();
    }

    /** The staging buffer, empty or partly filled; the encoder fills and drains it. */
    ByteBuffer staging() {
        return staging;
    }

    /** The output, positioned at its end with at least {@code room} bytes free. */
    ByteBuffer room(int room) {
        if (bytes.remaining() < room) {
            long needed = (long) bytes.position() + room;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a pack cannot exceed 2 GB: " + needed + " bytes");
            }
            ByteBuffer bigger = allocate((int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * bytes.capacity())));
            bytes.flip();
            bigger.put(bytes);
            bytes = bigger;
        }
        return bytes;
    }

    public int size() {
        return bytes.position();
    }

    /** What was written, as a read-only view from its start; valid until the buffer is reset or written again. */
    public ByteBuffer contents() {
        return bytes.duplicate().flip().asReadOnlyBuffer();
    }

    public byte[] toByteArray() {
        byte[] copy = new byte[size()];
        contents().get(copy);
        return copy;
    }
}
