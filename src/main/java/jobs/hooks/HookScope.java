package jobs.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jobs.filter.Glob;
import jobs.filter.LabelSelector;
import jobs.support.InvalidInputException;

/** Which pods a configured hook rule picks: namespace globs and a label selector, as in Velero's hook specs. */
record HookScope(List<Glob> included, List<Glob> excluded, LabelSelector selector) {

    /** @throws InvalidInputException naming {@code key}'s bad entry */
    static HookScope of(String key, List<String> included, List<String> excluded, String labelSelector) {
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(labelSelector);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(key + ".label-selector='" + labelSelector + "': " + e.getMessage());
        }
        return new HookScope(globs(key + ".included-namespaces", included), globs(key + ".excluded-namespaces", excluded), selector);
    }

    boolean selects(String namespace, Map<String, String> labels) {
        return (included.isEmpty() || included.stream().anyMatch(g -> g.matches(namespace)))
                && excluded.stream().noneMatch(g -> g.matches(namespace)) && selector.matches(labels == null ? Map.of() : labels);
    }

    private static List<Glob> globs(String key, List<String> patterns) {
        List<Glob> globs = new ArrayList<>();
        for (String pattern : patterns == null ? List.<String>of() : patterns) {
            try {
                globs.add(Glob.compile(pattern));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(key + "='" + pattern + "': " + e.getMessage());
            }
        }
        return globs;
    }

    /** A configured value, parsed; a refusal names the key and the value. */
    static <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(key + "='" + value + "' " + e.getMessage());
        }
    }
}
