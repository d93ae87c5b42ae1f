package jobs.kube;

import io.fabric8.kubernetes.client.http.AsyncBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A response body as an input stream, fed by fabric8's {@code consumeBytes}: the buffers the HTTP client hands over
 * are copied out in bulk. fabric8's own stream ({@code sendAsync(request, InputStream.class)}) copies them one byte
 * at a time, which under the image's C1-only JVM was a fifth of the listing thread's samples in a flight recording.
 * Like fabric8's, it asks for more only once it has handed out what it holds.
 */
final class BodyStream extends InputStream implements AsyncBody.Consumer<List<ByteBuffer>> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<ByteBuffer> buffers = new ArrayDeque<>();
    private ByteBuffer current;
    private AsyncBody body;
    private boolean asked;
    private boolean done;
    private Throwable failure;
    private boolean closed;

    @Override
    public void consume(List<ByteBuffer> value, AsyncBody asyncBody) {
        lock.lock();
        try {
            buffers.addAll(value);
            asked = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts reading the body of the response this stream consumes. */
    void start(AsyncBody asyncBody) {
        lock.lock();
        try {
            body = asyncBody;
        } finally {
            lock.unlock();
        }
        asyncBody.done().whenComplete((ignored, error) -> {
            lock.lock();
            try {
                done = true;
                failure = error;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        });
        ask();
    }

    private void ask() {
        lock.lock();
        try {
            if (asked || done) {
                return;
            }
            asked = true;
        } finally {
            lock.unlock();
        }
        body.consume();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            boolean needMore;
            lock.lock();
            try {
                if (closed) {
                    throw new IOException("the response body is closed");
                }
                while ((current == null || !current.hasRemaining()) && !buffers.isEmpty()) {
                    current = buffers.poll();
                }
                if (current != null && current.hasRemaining()) {
                    int n = Math.min(length, current.remaining());
                    current.get(target, offset, n);
                    return n;
                }
                if (done) {
                    if (failure != null) {
                        throw new IOException("reading the response body failed: " + failure.getMessage(), failure);
                    }
                    return -1;
                }
                needMore = !asked;
                if (!needMore) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the response body");
            } finally {
                lock.unlock();
            }
            if (needMore) {
                ask();
            }
        }
    }

    @Override
    public void close() {
        boolean cancel;
        lock.lock();
        try {
            cancel = !closed && !done && body != null;
            closed = true;
            buffers.clear();
            current = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (cancel) {
            body.cancel();
        }
    }
}
