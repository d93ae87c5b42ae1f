package jobs.hooks;

/** What a failed hook means: {@code Fail} stops what it guards (a pre hook: that pod's snapshots), {@code Continue} only records it. */
public enum OnError {
    FAIL("Fail"), CONTINUE("Continue");

    private final String text;

    OnError(String text) {
        this.text = text;
    }

    /** Velero's spelling, exactly: {@code Fail} or {@code Continue}. */
    static OnError parse(String text) {
        for (OnError value : values()) {
            if (value.text.equals(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("is not Fail or Continue");
    }

    @Override
    public String toString() {
        return text;
    }
}
