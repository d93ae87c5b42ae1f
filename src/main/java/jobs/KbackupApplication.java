package jobs;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jobs.cli.Cli;
import jobs.config.KbackupProperties;
import jobs.config.MemberSettings;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * kbackup's entry point. Arguments of the form {@code --kbackup.x=y} or {@code --spring.x=y} configure the
 * application; everything else is the command line ({@code backup}, {@code list}, ...). The process exits with the
 * command's exit code.
 */
@SpringBootApplication
@EnableConfigurationProperties(KbackupProperties.class)
public class KbackupApplication {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(Cli.run(out, err, args));
    }

    /** Every bean sees the settings of the fleet member chosen with {@code --cluster}, if any. */
    @Bean
    static MemberSettings memberSettings() {
        return new MemberSettings();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Splits configuration arguments from command arguments. */
    public static List<List<String>> split(String... args) {
        List<String> config = new ArrayList<>();
        List<String> command = new ArrayList<>();
        for (String arg : args) {
            boolean property = arg.startsWith("--") && arg.contains("=")
                    && arg.substring(2, arg.indexOf('=')).contains(".");
            (property ? config : command).add(arg);
        }
        return List.of(config, command);
    }
}
