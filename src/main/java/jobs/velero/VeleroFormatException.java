package jobs.velero;

/** Velero input kbackup refuses: the message names the archive or blob, and the entry. */
public class VeleroFormatException extends RuntimeException {

    public VeleroFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
