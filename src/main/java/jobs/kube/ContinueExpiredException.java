package jobs.kube;

/** The API server answered 410 Gone: the continue token is too old and the list must be started again. */
public class ContinueExpiredException extends RuntimeException {

    public ContinueExpiredException(String message, Throwable cause) {
        super(message, cause);
    }
}
