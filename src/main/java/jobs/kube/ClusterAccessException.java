package jobs.kube;

/** A call to the API server failed for a reason other than an expired continue token; carries the HTTP code. */
public class ClusterAccessException extends RuntimeException {

    private final int code;

    public ClusterAccessException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** HTTP status, or 0 when the server could not be reached. */
    public int code() {
        return code;
    }

    public boolean isForbidden() {
        return code == 401 || code == 403;
    }

    public boolean isNotFound() {
        return code == 404;
    }

    public boolean isConflict() {
        return code == 409;
    }
}
