package jobs.restore;

/** Per-item outcomes of a restore, as reported and recorded. */
final class Outcome {

    static final String CREATED = "Created";
    static final String UPDATED = "Updated";
    static final String UNCHANGED = "Unchanged";
    static final String SKIPPED = "Skipped";
    static final String FAILED = "Failed";
    static final String WOULD_CREATE = "WouldCreate";
    static final String WOULD_UPDATE = "WouldUpdate";
    /** In a dry run: the API server would refuse it, for the permissions its reason names. */
    static final String FORBIDDEN = "Forbidden";

    private Outcome() {
    }
}
