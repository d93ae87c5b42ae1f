package jobs.restore;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import jobs.filter.LabelSelector;
import jobs.kube.ResourceType;
import jobs.support.InvalidInputException;

/**
 * Resource modifiers in Velero's format (version v1), whole: rules whose conditions pick objects and whose patches
 * change them before they are restored.
 * <ul>
 *   <li>Conditions: {@code groupResource} (a glob: {@code *} within one dot-separated part, {@code **} across,
 *   {@code {a,b}}), {@code namespaces} (the source namespace; cluster-scoped objects pass), {@code resourceNameRegex},
 *   {@code labelSelector} ({@code matchLabels} and {@code matchExpressions}), and {@code matches}, JSON-pointer
 *   value tests that all must hold. As in Velero, every rule is matched against the object as backed up, not as
 *   earlier rules patched it.</li>
 *   <li>Patches: {@code patches} (JSON Patch, RFC 6902, with Velero's reading of {@code value}; a failing
 *   {@code test} skips the rule), {@code mergePatches} (RFC 7386) and {@code strategicPatches} (Kubernetes'
 *   strategic merge patch, for built-in types), applied in that order. Velero applies only the first kind a rule
 *   has; kbackup applies all of them.</li>
 * </ul>
 * Anything else (an unknown key, a bad regex, glob, operator or patch) is refused before anything is written.
 */
final class ResourceModifiers {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATIONS = Set.of("add", "remove", "replace", "move", "copy", "test");
    static final ResourceModifiers NONE = new ResourceModifiers(List.of());

    private record Match(JsonPointer path, JsonNode value) {
    }

    private record Rule(Pattern groupResource, Pattern name, Set<String> namespaces, LabelSelector selector,
                        List<Match> matches, ArrayNode jsonPatch, List<JsonValue> mergePatches, List<ObjectNode> strategicPatches) {

        boolean matches(String resource, String sourceNamespace, ObjectNode object) {
            JsonNode meta = object.path("metadata");
            if (!groupResource.matcher(resource).matches()) {
                return false;
            }
            if (sourceNamespace != null && !namespaces.isEmpty() && !namespaces.contains(sourceNamespace)) {
                return false;
            }
            if (name != null && !name.matcher(meta.path("name").asText()).find()) {
                return false;
            }
            Map<String, String> labels = new HashMap<>();
            meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            if (!selector.matches(labels)) {
                return false;
            }
            for (Match match : matches) {
                JsonNode actual = object.at(match.path());
                if (actual.isMissingNode() || !actual.equals(match.value())) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Rule> rules;

    private ResourceModifiers(List<Rule> rules) {
        this.rules = rules;
    }

    /** Parses a modifiers file; every problem is an input error naming the file, the rule and the bad value. */
    static ResourceModifiers parse(String source, String yaml) {
        String file = "--resource-modifiers " + source;
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": expected a map with 'version' and 'resourceModifierRules'");
        }
        known(file, root, "version", "resourceModifierRules");
        if (!root.path("version").asText("").equalsIgnoreCase("v1")) {
            throw new InvalidInputException(file + ": version '" + root.path("version").asText("") + "' is not supported (v1)");
        }
        if (!root.path("resourceModifierRules").isArray() || root.path("resourceModifierRules").isEmpty()) {
            throw new InvalidInputException(file + ": 'resourceModifierRules' must be a non-empty list");
        }
        List<Rule> rules = new ArrayList<>();
        int index = 0;
        for (JsonNode rule : root.path("resourceModifierRules")) {
            rules.add(rule(file + ": rule " + index++, rule));
        }
        return new ResourceModifiers(rules);
    }

    private static Rule rule(String where, JsonNode rule) {
        known(where, rule, "conditions", "patches", "mergePatches", "strategicPatches");
        JsonNode conditions = rule.path("conditions");
        known(where + ": conditions", conditions, "groupResource", "namespaces", "resourceNameRegex", "labelSelector", "matches");
        String groupResource = conditions.path("groupResource").asText("");
        if (groupResource.isEmpty()) {
            throw new InvalidInputException(where + ": conditions.groupResource is required");
        }
        Pattern name = null;
        if (conditions.hasNonNull("resourceNameRegex")) {
            try {
                name = Pattern.compile(conditions.path("resourceNameRegex").asText());
            } catch (PatternSyntaxException e) {
                throw new InvalidInputException(where + ": resourceNameRegex '" + conditions.path("resourceNameRegex").asText()
                        + "' is not a regular expression: " + e.getDescription());
            }
        }
        Set<String> namespaces = new HashSet<>();
        conditions.path("namespaces").forEach(n -> namespaces.add(n.asText()));
        List<Match> matches = new ArrayList<>();
        for (JsonNode match : conditions.path("matches")) {
            known(where + ": conditions.matches", match, "path", "value");
            matches.add(new Match(pointer(where + ": conditions.matches", match.path("path").asText("")),
                    value(match.path("value"))));
        }
        ArrayNode patch = JSON.createArrayNode();
        for (JsonNode op : rule.path("patches")) {
            known(where + ": patches", op, "operation", "from", "path", "value");
            String operation = op.path("operation").asText("").toLowerCase(Locale.ROOT);
            if (!OPERATIONS.contains(operation)) {
                throw new InvalidInputException(where + ": patch operation '" + op.path("operation").asText("")
                        + "' is not one of add, remove, replace, move, copy, test");
            }
            ObjectNode normalized = patch.addObject().put("op", operation)
                    .put("path", pointer(where + ": patches", op.path("path").asText("")).toString());
            if (op.has("from")) {
                normalized.put("from", pointer(where + ": patches", op.path("from").asText("")).toString());
            }
            if (op.has("value") || operation.equals("add") || operation.equals("replace") || operation.equals("test")) {
                normalized.set("value", value(op.path("value")));
            }
        }
        List<JsonValue> merges = new ArrayList<>();
        for (JsonNode merge : rule.path("mergePatches")) {
            merges.add(toJakarta(patchData(where + ": mergePatches", merge)));
        }
        List<ObjectNode> strategic = new ArrayList<>();
        for (JsonNode merge : rule.path("strategicPatches")) {
            strategic.add(patchData(where + ": strategicPatches", merge));
        }
        if (patch.isEmpty() && merges.isEmpty() && strategic.isEmpty()) {
            throw new InvalidInputException(where + ": no patches, mergePatches or strategicPatches");
        }
        return new Rule(glob(where, groupResource), name, namespaces, selector(where, conditions.path("labelSelector")),
                matches, patch, merges, strategic);
    }

    /** Refuses keys the format does not have, as Velero's strict decoding does. */
    private static void known(String where, JsonNode node, String... keys) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new InvalidInputException(where + ": expected a map, got " + node);
        }
        List<String> allowed = List.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new InvalidInputException(where + ": unknown key '" + key + "' (known: " + String.join(", ", keys) + ")");
            }
        }
    }

    private static JsonPointer pointer(String where, String path) {
        try {
            return JsonPointer.compile(path);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": path '" + path + "' is not a JSON pointer (/spec/replicas)");
        }
    }

    private static ObjectNode patchData(String where, JsonNode entry) {
        known(where, entry, "patchData");
        try {
            JsonNode data = YAML.readTree(entry.path("patchData").asText(""));
            if (!(data instanceof ObjectNode map)) {
                throw new InvalidInputException(where + ": patchData must be a JSON or YAML map, got '" + entry.path("patchData").asText("") + "'");
            }
            return map;
        } catch (IOException e) {
            throw new InvalidInputException(where + ": patchData is not JSON or YAML: " + e.getMessage());
        }
    }

    /**
     * Velero's reading of a patch or match value, which it keeps as a string: empty, or quoted ({@code "\"3\""}),
     * is a string; {@code null}, {@code true}/{@code false}, a number, or text starting with {@code {} or
     * {@code [} is that JSON; anything else is a string. A YAML scalar or map stands for itself.
     */
    private static JsonNode value(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return JSON.getNodeFactory().textNode("");
        }
        if (!value.isTextual()) {
            return value;
        }
        String text = value.asText();
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            return JSON.getNodeFactory().textNode(text.substring(1, text.length() - 1));
        }
        if (text.equals("null") || text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
                || text.startsWith("{") || text.startsWith("[") || isNumber(text)) {
            try {
                return JSON.readTree(text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false") ? text.toLowerCase(Locale.ROOT) : text);
            } catch (IOException e) {
                throw new InvalidInputException("--resource-modifiers: value '" + text + "' is not valid JSON: " + e.getMessage());
            }
        }
        return value;
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text);
            return !text.endsWith("d") && !text.endsWith("f") && !text.endsWith("D") && !text.endsWith("F");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A groupResource glob as Velero compiles it (gobwas/glob with '.' as separator). */
    private static Pattern glob(String where, String glob) {
        StringBuilder regex = new StringBuilder();
        boolean inAlternatives = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^.]*");
                    }
                }
                case '?' -> regex.append("[^.]");
                case '{' -> {
                    if (inAlternatives) {
                        throw new InvalidInputException(where + ": groupResource '" + glob + "': nested '{'");
                    }
                    inAlternatives = true;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (!inAlternatives) {
                        throw new InvalidInputException(where + ": groupResource '" + glob + "': unmatched '}'");
                    }
                    inAlternatives = false;
                    regex.append(")");
                }
                case ',' -> regex.append(inAlternatives ? "|" : Pattern.quote(","));
                case '[', ']', '\\' -> throw new InvalidInputException(where + ": groupResource '" + glob
                        + "': character classes and escapes are not supported; use *, ** or {a,b}");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (inAlternatives) {
            throw new InvalidInputException(where + ": groupResource '" + glob + "': unclosed '{'");
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    /** metav1.LabelSelector (matchLabels, matchExpressions); a selector string is accepted too. */
    private static LabelSelector selector(String where, JsonNode selector) {
        if (selector.isMissingNode() || selector.isNull()) {
            return LabelSelector.everything();
        }
        List<String> parts = new ArrayList<>();
        if (selector.isTextual()) {
            parts.add(selector.asText());
        } else {
            known(where + ": labelSelector", selector, "matchLabels", "matchExpressions");
            selector.path("matchLabels").fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
            for (JsonNode expression : selector.path("matchExpressions")) {
                known(where + ": labelSelector.matchExpressions", expression, "key", "operator", "values");
                String key = expression.path("key").asText("");
                String operator = expression.path("operator").asText("");
                List<String> values = new ArrayList<>();
                expression.path("values").forEach(v -> values.add(v.asText()));
                switch (operator) {
                    case "In", "NotIn" -> {
                        if (values.isEmpty()) {
                            throw new InvalidInputException(where + ": labelSelector: operator " + operator + " on '" + key + "' needs values");
                        }
                        parts.add(key + (operator.equals("In") ? " in (" : " notin (") + String.join(",", values) + ")");
                    }
                    case "Exists", "DoesNotExist" -> {
                        if (!values.isEmpty()) {
                            throw new InvalidInputException(where + ": labelSelector: operator " + operator + " on '" + key + "' takes no values");
                        }
                        parts.add((operator.equals("Exists") ? "" : "!") + key);
                    }
                    default -> throw new InvalidInputException(where + ": labelSelector: operator '" + operator
                            + "' is not one of In, NotIn, Exists, DoesNotExist");
                }
            }
        }
        try {
            return LabelSelector.parse(String.join(",", parts));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": labelSelector: " + e.getMessage());
        }
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * Applies every rule whose conditions the object as backed up meets, and returns the result.
     *
     * @param sourceNamespace the namespace the object was backed up from (conditions name it, not a mapped one)
     * @throws IllegalArgumentException when a patch cannot be applied to this object
     */
    ObjectNode apply(ResourceType type, String sourceNamespace, ObjectNode object) {
        ObjectNode original = rules.size() > 1 ? object.deepCopy() : object;
        ObjectNode current = object;
        for (Rule rule : rules) {
            if (!rule.matches(type.qualifiedName(), type.namespaced() ? sourceNamespace : null, original)) {
                continue;
            }
            if (!rule.jsonPatch().isEmpty()) {
                try {
                    current = (ObjectNode) JsonPatch.apply(rule.jsonPatch(), current);
                } catch (JsonPatchException e) {
                    if (!isFailedTest(rule.jsonPatch(), current)) {
                        throw new IllegalArgumentException("JSON patch: " + e.getMessage(), e);
                    }
                    continue; // a failed test operation makes the rule not apply, as in Velero
                }
            }
            for (JsonValue merge : rule.mergePatches()) {
                current = fromJakarta(Json.createMergePatch(merge).apply(toJakarta(current)));
            }
            if (!rule.strategicPatches().isEmpty() && !StrategicMergePatch.BUILT_IN_GROUPS.contains(type.group())) {
                throw new IllegalArgumentException("strategicPatches: " + type.qualifiedName()
                        + " is not a built-in type, so it has no patch strategies (use mergePatches)");
            }
            for (ObjectNode strategic : rule.strategicPatches()) {
                current = StrategicMergePatch.apply(current, strategic);
            }
        }
        return current;
    }

    /** Whether the patch failed at one of its test operations (rather than at a path that does not exist). */
    private static boolean isFailedTest(ArrayNode patch, ObjectNode object) {
        for (JsonNode op : patch) {
            if (op.path("op").asText().equals("test")) {
                JsonNode actual = object.at(op.path("path").asText());
                if (!actual.equals(op.path("value"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonValue toJakarta(JsonNode node) {
        try {
            return Json.createReader(new StringReader(JSON.writeValueAsString(node))).readValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode fromJakarta(JsonValue value) {
        try {
            return (ObjectNode) JSON.readTree(value.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
