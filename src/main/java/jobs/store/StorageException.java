package jobs.store;

/** Storage could not be read or written; the message names the blob and the store. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
