package jobs.snapshot;

/** A snapshot could not be taken or deleted; the message names the volume and the provider's reason. */
public class SnapshotException extends RuntimeException {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
