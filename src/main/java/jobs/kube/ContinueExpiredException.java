package jobs.kube;

/**
 * The API server answered 410 Gone: the continue token is too old. A real server puts a fresh token in the Status's
 * {@code metadata.continue}: it continues the list after the same key, from the current state (an inconsistent
 * continuation). Without one the list must be started again.
 */
public class ContinueExpiredException extends RuntimeException {

    private final String continueToken;

    public ContinueExpiredException(String message, String continueToken, Throwable cause) {
        super(message, cause);
        this.continueToken = continueToken == null || continueToken.isEmpty() ? null : continueToken;
    }

    /** The token of an inconsistent continuation the server offered, or null. */
    public String continueToken() {
        return continueToken;
    }
}
