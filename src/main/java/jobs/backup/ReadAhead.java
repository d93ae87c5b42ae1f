package jobs.backup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue between the thread that lists and the thread that fills chunks, bounded by bytes rather than by count:
 * the lister runs ahead by at most {@code limit} bytes of objects, whatever their sizes. One element bigger than the
 * limit is still let through when the queue is empty, so a single large object can never block the backup.
 *
 * @param <E> the elements
 */
final class ReadAhead<E> {

    private final long limit;
    private final Deque<Entry<E>> entries = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private long bytes;

    private record Entry<E>(E element, long bytes) {
    }

    ReadAhead(long limit) {
        this.limit = limit;
    }

    /** Adds an element, waiting while the queue holds too many bytes for it. */
    void put(E element, long size) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!entries.isEmpty() && bytes + size > limit) {
                notFull.await();
            }
            entries.addLast(new Entry<>(element, size));
            bytes += size;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest element, waiting for one. */
    E take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (entries.isEmpty()) {
                notEmpty.await();
            }
            Entry<E> entry = entries.removeFirst();
            bytes -= entry.bytes();
            notFull.signalAll();
            return entry.element();
        } finally {
            lock.unlock();
        }
    }

    /** Drops everything queued and wakes a waiting producer. */
    void clear() {
        lock.lock();
        try {
            entries.clear();
            bytes = 0;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
