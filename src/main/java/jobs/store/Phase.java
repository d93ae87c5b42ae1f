package jobs.store;

/** The life of a restore point, as {@code list} and {@code describe} show it. */
public enum Phase {
    InProgress,
    Completed,
    PartiallyFailed,
    Failed,
    Deleting;

    public boolean isFinished() {
        return this == Completed || this == PartiallyFailed;
    }
}
