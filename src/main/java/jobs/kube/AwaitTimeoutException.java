package jobs.kube;

/** An object did not reach the state waited for within the time given. */
public class AwaitTimeoutException extends ClusterAccessException {

    public AwaitTimeoutException(String message, Throwable cause) {
        super(message, 0, cause);
    }
}
