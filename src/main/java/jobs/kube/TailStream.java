package jobs.kube;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last {@code capacity} bytes written to it: a command's output tail, bounded however much it prints. */
final class TailStream extends OutputStream {

    private final byte[] ring;
    private long written;

    TailStream(int capacity) {
        this.ring = new byte[capacity];
    }

    @Override
    public synchronized void write(int b) {
        ring[(int) (written++ % ring.length)] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            write(b[off + i]);
        }
    }

    synchronized String text() {
        int size = (int) Math.min(written, ring.length);
        byte[] tail = new byte[size];
        int start = (int) ((written - size) % ring.length);
        for (int i = 0; i < size; i++) {
            tail[i] = ring[(start + i) % ring.length];
        }
        return new String(tail, StandardCharsets.UTF_8);
    }
}
