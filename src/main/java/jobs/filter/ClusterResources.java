package jobs.filter;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import jobs.support.InvalidInputException;

/** The {@code --include-cluster-resources} toggle, with Velero's meaning of {@code auto}. */
public enum ClusterResources {
    /** All cluster-scoped objects in a whole-cluster selection; otherwise only those the selection needs. */
    AUTO,
    TRUE,
    FALSE;

    @JsonCreator
    public static ClusterResources parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("--include-cluster-resources: '" + text + "' is not one of auto, true, false");
        }
    }

    @JsonValue
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
