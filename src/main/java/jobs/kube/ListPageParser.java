package jobs.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jobs.support.Json;

/**
 * Reads a list response without binding whole objects: each item's bytes are kept as the server sent them and only
 * its metadata (and a persistent volume claim's volume name) is bound. Binding every field into maps and writing them out again cost more
 * CPU than the listing itself; the bytes stored are now exactly the server's.
 */
final class ListPageParser {

    private static final ObjectMapper MAPPER = Json.mapper();

    private ListPageParser() {
    }

    static ObjectPage parse(byte[] body, ResourceType type) {
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a list of " + type + " is not a JSON object");
            }
            List<ListedObject> items = new ArrayList<>();
            String next = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    next = MAPPER.readValue(parser, ListMeta.class).getContinue();
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        items.add(item(parser, body, type));
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return new ObjectPage(items, next == null || next.isEmpty() ? null : next);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a list of " + type, e);
        }
    }

    private static ListedObject item(JsonParser parser, byte[] body, ResourceType type) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        ObjectMeta metadata = null;
        String volumeName = null;
        boolean claims = type.group().isEmpty() && type.resource().equals("persistentvolumeclaims");
        boolean hasApiVersion = false;
        boolean hasKind = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                metadata = MAPPER.readValue(parser, ObjectMeta.class);
            } else if (field.equals("spec") && value == JsonToken.START_OBJECT && claims) {
                JsonNode spec = MAPPER.readTree(parser);
                JsonNode volume = spec.get("volumeName");
                volumeName = volume != null && volume.isTextual() ? volume.asText() : null;
            } else {
                hasApiVersion |= field.equals("apiVersion");
                hasKind |= field.equals("kind");
                parser.skipChildren();
            }
        }
        int end = (int) parser.currentTokenLocation().getByteOffset() + 1;
        if (metadata == null) {
            throw new IllegalArgumentException("an item of a list of " + type + " has no metadata");
        }
        String head = (hasApiVersion ? "" : "\"apiVersion\":" + quote(type.apiVersion()) + ",")
                + (hasKind ? "" : "\"kind\":" + quote(type.kind()) + ",");
        return new ListedObject(metadata, volumeName, oneLine(body, start, end, head));
    }

    /**
     * The item's bytes with {@code head} (the apiVersion and kind the list left off) put first, and any line break
     * (only ever whitespace between tokens: JSON escapes them inside strings) made a space. The item has metadata,
     * so a field always follows the opening brace.
     */
    private static byte[] oneLine(byte[] body, int start, int end, String head) {
        byte[] json;
        if (head.isEmpty()) {
            json = Arrays.copyOfRange(body, start, end);
        } else {
            byte[] prefix = ("{" + head).getBytes(StandardCharsets.UTF_8);
            int rest = start + 1;
            while (isWhitespace(body[rest])) {
                rest++;
            }
            json = new byte[prefix.length + end - rest];
            System.arraycopy(prefix, 0, json, 0, prefix.length);
            System.arraycopy(body, rest, json, prefix.length, end - rest);
        }
        for (int i = 0; i < json.length; i++) {
            if (json[i] == '\n' || json[i] == '\r') {
                json[i] = ' ';
            }
        }
        return json;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
