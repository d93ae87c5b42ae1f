package jobs.cli;

import java.io.PrintWriter;
import java.time.Clock;
import jobs.config.KbackupProperties;
import jobs.purge.Schedule;
import jobs.support.ExitCodes;
import org.springframework.context.ApplicationContext;
import picocli.CommandLine.Command;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Prints the backup policy: the CronJob schedule it stands for, the next five runs, and the retention.")
class PolicyCommand implements Subcommand {

    @Override
    public int run(ApplicationContext context, PrintWriter out) {
        KbackupProperties.Policy policy = context.getBean(KbackupProperties.class).policy();
        Schedule schedule = Schedule.of(policy);
        out.printf("frequency: %s (from %s UTC)%n", policy.frequency(), policy.time());
        out.printf("schedule:  %s%n", schedule.cron());
        out.println("next runs:");
        schedule.next(context.getBean(Clock.class).instant(), 5).forEach(t -> out.printf("  %s%n", t));
        out.printf("retention: %s (keep-last %d, keep-daily %d, keep-weekly %d, keep-monthly %d)%n", policy.retention(),
                policy.keepLast(), policy.keepDaily(), policy.keepWeekly(), policy.keepMonthly());
        return ExitCodes.COMPLETED;
    }
}
