package jobs.filter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector with the whole grammar of {@code kubectl -l}: {@code k=v}, {@code k==v},
 * {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} (exists), {@code !k} (does not exist).
 * Requirements are ANDed; they may be separated by commas or, as AKS Backup writes them, by semicolons.
 * Immutable; {@link #toString()} is the canonical form the API server accepts.
 */
public final class LabelSelector {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    record Requirement(String key, Operator operator, Set<String> values) {

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> labels.containsKey(key);
                case DOES_NOT_EXIST -> !labels.containsKey(key);
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case EQUALS -> key + "=" + values.iterator().next();
                case NOT_EQUALS -> key + "!=" + values.iterator().next();
                case IN -> key + " in (" + String.join(",", values) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a selector.
     *
     * @throws IllegalArgumentException naming the offending part when the text does not parse
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            requirements.add(parseRequirement(part.trim(), text));
        }
        return new LabelSelector(requirements);
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("unbalanced ')' in selector '" + text + "'");
                }
            } else if ((c == ',' || c == ';') && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced '(' in selector '" + text + "'");
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Requirement parseRequirement(String part, String whole) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("empty requirement in selector '" + whole + "'");
        }
        if (part.startsWith("!")) {
            return new Requirement(key(part.substring(1).trim(), whole), Operator.DOES_NOT_EXIST, Set.of());
        }
        var setMatcher = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(part);
        if (setMatcher.matches()) {
            Operator op = setMatcher.group(2).equals("in") ? Operator.IN : Operator.NOT_IN;
            Set<String> values = new LinkedHashSet<>();
            for (String v : setMatcher.group(3).split(",", -1)) {
                values.add(value(v.trim(), whole));
            }
            return new Requirement(key(setMatcher.group(1), whole), op, values);
        }
        int ne = part.indexOf("!=");
        if (ne > 0) {
            return new Requirement(key(part.substring(0, ne).trim(), whole), Operator.NOT_EQUALS,
                    Set.of(value(part.substring(ne + 2).trim(), whole)));
        }
        int eq = part.indexOf('=');
        if (eq > 0) {
            int valueStart = part.startsWith("==", eq) ? eq + 2 : eq + 1;
            return new Requirement(key(part.substring(0, eq).trim(), whole), Operator.EQUALS,
                    Set.of(value(part.substring(valueStart).trim(), whole)));
        }
        return new Requirement(key(part, whole), Operator.EXISTS, Set.of());
    }

    private static String key(String key, String whole) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean prefixOk = slash < 0 || (slash <= 253 && PREFIX.matcher(key.substring(0, slash)).matches());
        if (!prefixOk || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid label key '" + key + "' in selector '" + whole + "'");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (!value.isEmpty() && !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid label value '" + value + "' in selector '" + whole + "'");
        }
        return value;
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> safe = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(safe));
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }
}
