package jobs.cli;

import java.io.PrintWriter;
import java.util.List;
import org.springframework.context.ApplicationContext;

/** A kbackup command: checked before the application starts, then run inside it. */
interface Subcommand {

    /** Checks the command's own arguments; throws {@link jobs.support.InvalidInputException} before anything starts. */
    default void validate() {
    }

    int run(ApplicationContext context, PrintWriter out) throws Exception;

    /** Configuration the command's options set, as {@code --kbackup.x=y} arguments (e.g. {@code --cluster}). */
    default List<String> configuration() {
        return List.of();
    }
}
