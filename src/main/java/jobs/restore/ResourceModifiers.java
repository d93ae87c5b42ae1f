package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.zjsonpatch.JsonPatch;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import jobs.filter.LabelSelector;
import jobs.support.InvalidInputException;

/**
 * Resource modifiers in Velero's format: rules whose conditions (group-resource, namespaces, name regex, label
 * selector) pick objects, and whose patches change them before they are restored: JSON Patch (RFC 6902, applied
 * by zjsonpatch) and JSON merge patch (RFC 7386, applied by Jakarta JSON Processing).
 * <pre>
 * version: v1
 * resourceModifierRules:
 * - conditions:
 *     groupResource: deployments.apps
 *     resourceNameRegex: "^web-.*$"
 *     namespaces: [shop]
 *     labelSelector: "tier=web"
 *   patches:
 *   - operation: replace
 *     path: /spec/replicas
 *     value: "1"
 *   mergePatches:
 *   - patchData: '{"metadata": {"annotations": {"restored": "true"}}}'
 * </pre>
 */
final class ResourceModifiers {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATIONS = Set.of("add", "remove", "replace", "move", "copy", "test");
    static final ResourceModifiers NONE = new ResourceModifiers(List.of());

    private record Rule(String groupResource, Pattern name, Set<String> namespaces, LabelSelector selector,
                        ArrayNode jsonPatch, List<JsonValue> mergePatches) {

        boolean matches(String resource, ObjectNode object) {
            JsonNode meta = object.path("metadata");
            if (!groupResource.equals("*") && !groupResource.equalsIgnoreCase(resource)) {
                return false;
            }
            if (name != null && !name.matcher(meta.path("name").asText()).matches()) {
                return false;
            }
            if (!namespaces.isEmpty() && !namespaces.contains(meta.path("namespace").asText())) {
                return false;
            }
            Map<String, String> labels = new HashMap<>();
            meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            return selector.matches(labels);
        }
    }

    private final List<Rule> rules;

    private ResourceModifiers(List<Rule> rules) {
        this.rules = rules;
    }

    /** Parses a modifiers file; every problem is an input error naming the file and the rule. */
    static ResourceModifiers parse(String source, String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException("--resource-modifiers " + source + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("resourceModifierRules").isArray()) {
            throw new InvalidInputException("--resource-modifiers " + source + ": expected a list 'resourceModifierRules'");
        }
        List<Rule> rules = new ArrayList<>();
        int index = 0;
        for (JsonNode rule : root.path("resourceModifierRules")) {
            String where = "--resource-modifiers " + source + ": rule " + index++;
            JsonNode conditions = rule.path("conditions");
            String groupResource = conditions.path("groupResource").asText("");
            if (groupResource.isEmpty()) {
                throw new InvalidInputException(where + ": conditions.groupResource is required");
            }
            Pattern name = null;
            if (conditions.hasNonNull("resourceNameRegex")) {
                try {
                    name = Pattern.compile(conditions.path("resourceNameRegex").asText());
                } catch (PatternSyntaxException e) {
                    throw new InvalidInputException(where + ": bad resourceNameRegex: " + e.getDescription());
                }
            }
            Set<String> namespaces = new java.util.HashSet<>();
            conditions.path("namespaces").forEach(n -> namespaces.add(n.asText()));
            LabelSelector selector;
            try {
                selector = LabelSelector.parse(selectorText(conditions.path("labelSelector")));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(where + ": " + e.getMessage());
            }
            ArrayNode patch = JSON.createArrayNode();
            for (JsonNode op : rule.path("patches")) {
                String operation = op.path("operation").asText(op.path("op").asText(""));
                if (!OPERATIONS.contains(operation) || !op.hasNonNull("path")) {
                    throw new InvalidInputException(where + ": a patch needs an operation (" + String.join(", ", OPERATIONS)
                            + ") and a path, got " + op);
                }
                ObjectNode normalized = patch.addObject().put("op", operation).put("path", op.path("path").asText());
                if (op.has("from")) {
                    normalized.put("from", op.path("from").asText());
                }
                if (op.has("value")) {
                    normalized.set("value", value(op.path("value")));
                }
            }
            List<JsonValue> merges = new ArrayList<>();
            for (JsonNode merge : rule.path("mergePatches")) {
                try {
                    JsonNode data = YAML.readTree(merge.path("patchData").asText());
                    merges.add(Json.createReader(new StringReader(JSON.writeValueAsString(data))).readValue());
                } catch (IOException | RuntimeException e) {
                    throw new InvalidInputException(where + ": mergePatches.patchData is not JSON or YAML: " + e.getMessage());
                }
            }
            rules.add(new Rule(groupResource, name, namespaces, selector, patch, merges));
        }
        return new ResourceModifiers(rules);
    }

    /** Velero writes values as strings holding JSON ("3", "true", "{...}"); a plain string stays a string. */
    private static JsonNode value(JsonNode value) {
        if (value.isTextual()) {
            try {
                return JSON.readTree(value.asText());
            } catch (IOException e) {
                return value;
            }
        }
        return value;
    }

    private static String selectorText(JsonNode selector) {
        if (selector.isMissingNode() || selector.isNull()) {
            return "";
        }
        if (selector.isTextual()) {
            return selector.asText();
        }
        List<String> parts = new ArrayList<>();
        selector.path("matchLabels").fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(",", parts);
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Applies every matching rule to the object of {@code resource} (plural.group) and returns the result. */
    ObjectNode apply(String resource, ObjectNode object) {
        ObjectNode current = object;
        for (Rule rule : rules) {
            if (!rule.matches(resource, current)) {
                continue;
            }
            if (!rule.jsonPatch().isEmpty()) {
                current = (ObjectNode) JsonPatch.apply(rule.jsonPatch(), current);
            }
            for (JsonValue merge : rule.mergePatches()) {
                try {
                    JsonValue target = Json.createReader(new StringReader(JSON.writeValueAsString(current))).readValue();
                    JsonValue merged = Json.createMergePatch(merge).apply(target);
                    current = (ObjectNode) JSON.readTree(merged.toString());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return current;
    }
}
