package jobs.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The API server double's own label-selector evaluation, written from the Kubernetes grammar
 * ({@code k8s.io/apimachinery/pkg/labels}) and independent of the product's parser, so a product that sends a
 * wrong selector is caught instead of being agreed with. As a real server, it takes requirements separated by
 * {@code ,} only and answers 400 (here: {@link IllegalArgumentException}) for what it cannot parse.
 */
final class Selectors {

    private Selectors() {
    }

    /** A predicate over an object's labels; null or empty text selects everything. */
    static Predicate<Map<String, String>> parse(String text) {
        if (text == null || text.isBlank()) {
            return labels -> true;
        }
        List<Predicate<Map<String, String>>> requirements = new ArrayList<>();
        for (String part : split(text)) {
            requirements.add(requirement(part.strip(), text));
        }
        return labels -> requirements.stream().allMatch(r -> r.test(labels));
    }

    /** Splits at commas outside parentheses. */
    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Predicate<Map<String, String>> requirement(String part, String whole) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: found '', expected: identifier in '" + whole + "'");
        }
        if (part.startsWith("!")) {
            String key = key(part.substring(1).strip(), whole);
            return labels -> !labels.containsKey(key);
        }
        String[] words = part.split("\\s+", 2);
        if (words.length == 2 && (words[1].startsWith("in ") || words[1].startsWith("in(")
                || words[1].startsWith("notin ") || words[1].startsWith("notin("))) {
            String key = key(words[0], whole);
            boolean in = words[1].startsWith("in");
            String set = words[1].substring(in ? 2 : 5).strip();
            if (!set.startsWith("(") || !set.endsWith(")")) {
                throw new IllegalArgumentException("unable to parse requirement: expected '(' and ')' in '" + whole + "'");
            }
            Set<String> values = new HashSet<>();
            for (String v : set.substring(1, set.length() - 1).split(",")) {
                values.add(v.strip());
            }
            return in ? labels -> labels.containsKey(key) && values.contains(labels.get(key))
                    : labels -> !labels.containsKey(key) || !values.contains(labels.get(key));
        }
        int ne = part.indexOf("!=");
        if (ne > 0) {
            String key = key(part.substring(0, ne).strip(), whole);
            String value = part.substring(ne + 2).strip();
            return labels -> !value.equals(labels.get(key));
        }
        int eq = part.indexOf('=');
        if (eq > 0) {
            String key = key(part.substring(0, eq).strip(), whole);
            String value = part.substring(part.startsWith("==", eq) ? eq + 2 : eq + 1).strip();
            return labels -> value.equals(labels.get(key));
        }
        String key = key(part, whole);
        return labels -> labels.containsKey(key);
    }

    private static String key(String key, String whole) {
        if (!key.matches("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("invalid label key '" + key + "' in selector '" + whole + "'");
        }
        return key;
    }
}
