package jobs.cli;

import java.io.PrintWriter;
import java.util.List;
import jobs.KbackupApplication;
import jobs.config.RenamedSettings;
import jobs.metrics.JobMetrics;
import jobs.run.Runs;
import jobs.support.ExitCodes;
import jobs.support.Failures;
import jobs.support.InvalidInputException;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs one command: parse and check the command line (exit 2 on a bad one, before anything starts), start the
 * application with its configuration (exit 2 on bad configuration, before anything is written: beans are created
 * lazily, so the job repository and storage are only touched by commands that use them), then run the command.
 */
public final class Cli {

    private Cli() {
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        List<List<String>> parts = KbackupApplication.split(args);
        List<String> config = parts.get(0);
        List<String> command = parts.get(1);

        CommandLine commandLine = new CommandLine(new KbackupCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(command.toArray(String[]::new));
        } catch (ParameterException e) {
            err.println("kbackup: " + e.getMessage());
            err.println("Run 'kbackup " + (e.getCommandLine().getCommandName().equals("kbackup") ? "" : e.getCommandLine().getCommandName() + " ")
                    + "--help' for usage.");
            return ExitCodes.INVALID_INPUT;
        }
        Integer helped = CommandLine.executeHelpRequest(parsed);
        if (helped != null) {
            return helped;
        }
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        if (!(leaf.commandSpec().userObject() instanceof Subcommand subcommand)) {
            // "kbackup" or a group such as "kbackup fleet" without its command
            leaf.commandSpec().commandLine().usage(err);
            return ExitCodes.INVALID_INPUT;
        }
        try {
            subcommand.validate();
        } catch (InvalidInputException e) {
            err.println("kbackup: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }

        ConfigurableApplicationContext context;
        try {
            context = start(java.util.stream.Stream.concat(config.stream(), subcommand.configuration().stream()).toList());
        } catch (RuntimeException e) {
            err.println("kbackup: invalid configuration: " + ConfigurationErrors.describe(e));
            return ExitCodes.INVALID_INPUT;
        }
        try (context) {
            try {
                return subcommand.run(context, out);
            } finally {
                context.getBeanProvider(JobMetrics.class).ifAvailable(JobMetrics::writeIfConfigured);
            }
        } catch (Exception e) {
            InvalidInputException invalid = find(e, InvalidInputException.class);
            if (invalid != null) {
                err.println("kbackup: " + invalid.getMessage());
                return ExitCodes.INVALID_INPUT;
            }
            String refusal = Runs.refusal(e);
            if (refusal != null) {
                err.println("kbackup: " + refusal);
                return ExitCodes.INVALID_INPUT;
            }
            if (ConfigurationErrors.isConfigurationError(e)) {
                err.println("kbackup: invalid configuration: " + ConfigurationErrors.describe(e));
                return ExitCodes.INVALID_INPUT;
            }
            err.println("kbackup: failed: " + Failures.reason(e));
            return ExitCodes.FAILED;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static ConfigurableApplicationContext start(List<String> config) {
        SpringApplication application = new SpringApplication(KbackupApplication.class);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setLazyInitialization(true);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        application.addListeners(new RenamedSettings());
        return application.run(config.toArray(String[]::new));
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
