package jobs.support;

/** Finds the sentence worth showing a user in a chain of wrapped exceptions. */
public final class Failures {

    private Failures() {
    }

    /**
     * The message of the outermost exception thrown by kbackup itself (they name the object, blob or setting),
     * or else of the innermost cause: frameworks wrap failures in generic messages such as "Unable to process chunk".
     */
    public static String reason(Throwable failure) {
        Throwable ours = null;
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (ours == null && t.getClass().getName().startsWith("jobs.")) {
                ours = t;
            }
            root = t;
        }
        Throwable chosen = ours != null ? ours : root;
        return chosen.getMessage() != null ? chosen.getMessage() : chosen.getClass().getSimpleName();
    }
}
