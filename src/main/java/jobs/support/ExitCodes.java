package jobs.support;

/** The process exit codes, a contract with scripts and CronJobs. */
public final class ExitCodes {

    public static final int COMPLETED = 0;
    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int PARTIALLY_FAILED = 3;
    /** {@code diff --exit-code}: the two sides differ. */
    public static final int DIFFERENCES = 4;

    private ExitCodes() {
    }
}
