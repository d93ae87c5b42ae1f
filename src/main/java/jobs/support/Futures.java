package jobs.support;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work handed to another thread as if it had been done on this one. */
public final class Futures {

    private Futures() {
    }

    /**
     * The result of {@code future}; its failure is thrown as it was raised (a runtime exception or error), so the
     * caller fails exactly as the synchronous call would have. {@code what} names the work in an interruption.
     */
    public static <T> T await(Future<T> future, String what) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }
}
