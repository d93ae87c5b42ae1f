package jobs.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jobs.purge.PurgeLauncher;
import jobs.purge.PurgeSummary;
import jobs.support.Failures;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * Retention for a fleet: each member's purge, with its own policy, in its own folder, one after the other. A member
 * whose purge fails (its store or API server unreachable) is reported and the others are still purged.
 */
@Component
public class FleetPurge {

    private final MemberContexts contexts;

    FleetPurge(MemberContexts contexts) {
        this.contexts = contexts;
    }

    /**
     * @param member  the member
     * @param summary what its purge decided and freed, null when it failed
     * @param failure why it failed, null when it did not
     */
    public record MemberPurge(String member, PurgeSummary summary, String failure) {
    }

    public List<MemberPurge> purge(List<String> members, boolean dryRun, Duration retention, Integer keepLast) {
        List<MemberPurge> results = new ArrayList<>();
        for (String member : members) {
            try (ConfigurableApplicationContext context = contexts.open(member)) {
                JobExecution execution = context.getBean(PurgeLauncher.class).launch(dryRun, retention, keepLast);
                results.add(execution.getStatus() == BatchStatus.COMPLETED
                        ? new MemberPurge(member, PurgeLauncher.summary(execution), null)
                        : new MemberPurge(member, null, execution.getAllFailureExceptions().stream().map(Failures::reason).distinct()
                        .collect(Collectors.joining("; "))));
            } catch (Exception e) {
                results.add(new MemberPurge(member, null, Failures.reason(e)));
            }
        }
        return results;
    }
}
