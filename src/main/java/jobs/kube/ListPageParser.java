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

    private final byte[] body;
    private final ResourceType type;
    private final boolean claims;
    /** What goes before an item's first field, by which of apiVersion (1) and kind (2) the item already has. */
    private final byte[][] prefixes = new byte[4][];

    private ListPageParser(byte[] body, ResourceType type) {
        this.body = body;
        this.type = type;
        this.claims = type.group().isEmpty() && type.resource().equals("persistentvolumeclaims");
        String apiVersion = "\"apiVersion\":" + quote(type.apiVersion()) + ",";
        String kind = "\"kind\":" + quote(type.kind()) + ",";
        prefixes[0] = ("{" + apiVersion + kind).getBytes(StandardCharsets.UTF_8);
        prefixes[1] = ("{" + kind).getBytes(StandardCharsets.UTF_8);
        prefixes[2] = ("{" + apiVersion).getBytes(StandardCharsets.UTF_8);
    }

    static ObjectPage parse(byte[] body, ResourceType type) {
        return new ListPageParser(body, type).parse();
    }

    private ObjectPage parse() {
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
                        items.add(item(parser));
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

    private ListedObject item(JsonParser parser) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        ObjectMeta metadata = null;
        String volumeName = null;
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
        return new ListedObject(metadata, volumeName, oneLine(start, end, prefixes[(hasApiVersion ? 1 : 0) + (hasKind ? 2 : 0)]));
    }

    /**
     * The item's bytes with {@code prefix} (the brace and the apiVersion and kind the list left off; null when the
     * item has both) put first, and any line break (only ever whitespace between tokens: JSON escapes them inside
     * strings) made a space. The item has metadata, so a field always follows the opening brace.
     */
    private byte[] oneLine(int start, int end, byte[] prefix) {
        byte[] json;
        if (prefix == null) {
            json = Arrays.copyOfRange(body, start, end);
        } else {
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
