package jobs.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jobs.filter.LabelSelector;
import jobs.filter.NamespaceFilter;
import jobs.support.InvalidInputException;
import org.springframework.boot.convert.DurationStyle;

/** Checks of command-line values shared by the commands; each failure names the flag and the value. */
final class Inputs {

    static final Duration MAX_TTL = Duration.ofDays(360);
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** As kbackup.storage.prefix: empty, or a relative path that stays inside the container or folder. */
    private static final Pattern PREFIX = Pattern.compile("^$|^(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$");

    private Inputs() {
    }

    /** Returns {@code name} when it is a valid restore point name. */
    static String name(String flag, String name) {
        if (name.length() > 63 || !NAME.matcher(name).matches()) {
            throw new InvalidInputException(flag + ": '" + name + "' is not a valid name (at most 63 lower-case "
                    + "letters, digits and '-', starting and ending with a letter or digit)");
        }
        return name;
    }

    /** Returns {@code prefix} when it is a storage prefix. */
    static String prefix(String flag, String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new InvalidInputException(flag + " '" + prefix + "': must be empty or a path of letters, digits, "
                    + "'.', '_', '-' separated by '/', without '.' or '..'");
        }
        return prefix;
    }

    static void selector(String text) {
        try {
            LabelSelector.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--selector: " + e.getMessage());
        }
    }

    static void namespaces(List<String> includes, List<String> excludes) {
        NamespaceFilter.of(includes, excludes);
    }

    static void resources(String flag, List<String> names) {
        for (String n : names) {
            if (n.isBlank() || !n.matches("[A-Za-z0-9.*-]+")) {
                throw new InvalidInputException(flag + ": '" + n + "' is not a resource name");
            }
        }
    }

    /** Parses {@code 72h}, {@code 30d}, {@code 90m} or ISO-8601 {@code P30D}; must be positive and at most 360 days. */
    static Duration duration(String flag, String text) {
        Duration d;
        try {
            d = DurationStyle.detectAndParse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(flag + ": '" + text + "' is not a duration (examples: 72h, 30d, P30D)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidInputException(flag + ": '" + text + "' must be positive");
        }
        if (d.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException(flag + ": '" + text + "' is longer than the 360 days a restore point may be kept");
        }
        return d;
    }

    /** SRC=DST pairs, each source once. */
    static Map<String, String> pairs(String option, List<String> values, String what) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : values) {
            String[] parts = pair.split("=", -1);
            if (parts.length != 2) {
                throw new InvalidInputException(option + ": '" + pair + "' is not SRC=DST");
            }
            if (pairs.put(parts[0], parts[1]) != null) {
                throw new InvalidInputException(option + ": " + what + " '" + parts[0] + "' is mapped twice");
            }
        }
        return pairs;
    }
}
