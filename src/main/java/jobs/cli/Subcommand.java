package jobs.cli;

import java.io.PrintWriter;
import org.springframework.context.ApplicationContext;

/** A kbackup command: checked before the application starts, then run inside it. */
interface Subcommand {

    /** Checks the command's own arguments; throws {@link jobs.support.InvalidInputException} before anything starts. */
    default void validate() {
    }

    int run(ApplicationContext context, PrintWriter out) throws Exception;
}
