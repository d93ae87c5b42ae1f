package jobs.restore;

import java.util.Locale;
import jobs.support.InvalidInputException;

/** What a restore does with an object that already exists in the target cluster. */
public enum ExistingResourcePolicy {
    /** Leave it as it is and report it (the default; existing objects are never deleted or recreated). */
    SKIP,
    /** Patch it to the backed-up state. */
    UPDATE;

    public static ExistingResourcePolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("--existing-resource-policy: '" + text + "' is not one of skip, update");
        }
    }
}
