package jobs.hooks;

import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/** How many hooks a step ran and how many of them did not succeed, kept in its context for {@code report}. */
public final class HookCounts {

    static final String RUN = "hooks.run";
    static final String FAILED = "hooks.failed";

    private HookCounts() {
    }

    /** Adds these runs to the step's counts. */
    public static void add(ExecutionContext step, List<HookResult> results) {
        step.putLong(RUN, step.getLong(RUN, 0) + results.size());
        step.putLong(FAILED, step.getLong(FAILED, 0) + results.stream().filter(r -> !r.succeeded()).count());
    }

    public static long run(ExecutionContext step) {
        return step.getLong(RUN, 0);
    }

    public static long failed(ExecutionContext step) {
        return step.getLong(FAILED, 0);
    }
}
