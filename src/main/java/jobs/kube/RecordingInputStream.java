package jobs.kube;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Remembers the bytes read through it from a chosen offset on, so that a streaming JSON parser, which reads ahead in
 * blocks, can still have one item's exact bytes copied out by their offsets. Memory holds one item and one block of
 * read-ahead, never the whole response.
 */
final class RecordingInputStream extends FilterInputStream {

    private byte[] kept = new byte[16 * 1024];
    /** Offset in the stream of {@code kept[0]}. */
    private long base;
    private int length;

    RecordingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            keep(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws IOException {
        int n = super.read(buffer, offset, count);
        if (n > 0) {
            keep(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes would leave a hole in what is kept: read them instead.
        return read(new byte[(int) Math.min(n, 8192)]);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void keep(byte[] buffer, int offset, int n) {
        if (length + n > kept.length) {
            kept = Arrays.copyOf(kept, Math.max(kept.length * 2, length + n));
        }
        System.arraycopy(buffer, offset, kept, length, n);
        length += n;
    }

    /** Forgets what was read before {@code offset}: nothing before it will be copied. */
    void forgetBefore(long offset) {
        int drop = (int) Math.max(0, Math.min(length, offset - base));
        if (drop > 0) {
            System.arraycopy(kept, drop, kept, 0, length - drop);
            length -= drop;
            base += drop;
        }
    }

    /** The byte at {@code offset}, which must still be kept. */
    byte at(long offset) {
        return kept[index(offset)];
    }

    /** A copy of the bytes from {@code start} (inclusive) to {@code end} (exclusive), which must still be kept. */
    byte[] copy(long start, long end) {
        return Arrays.copyOfRange(kept, index(start), index(end - 1) + 1);
    }

    /** Copies the kept bytes from {@code start} to {@code end} into {@code target} at {@code offset}. */
    void copyInto(long start, long end, byte[] target, int offset) {
        int from = index(start);
        System.arraycopy(kept, from, target, offset, index(end - 1) + 1 - from);
    }

    private int index(long offset) {
        long i = offset - base;
        if (i < 0 || i >= length) {
            throw new IllegalStateException("offset " + offset + " is no longer kept (kept " + base + " to " + (base + length) + ")");
        }
        return (int) i;
    }
}
