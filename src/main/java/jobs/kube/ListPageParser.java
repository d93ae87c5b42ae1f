package jobs.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jobs.support.Json;

/**
 * Reads a list response as a stream, without binding whole objects: each item's bytes are kept as the server sent
 * them, only its metadata (and a persistent volume claim's volume name) is bound, and each item is handed on as soon
 * as it is read. Binding every field into maps and writing them out again cost more CPU than the listing itself; and
 * a page of 500 Helm release Secrets of 1 MB each is never held whole, only the item being read.
 */
final class ListPageParser {

    private static final ObjectMapper MAPPER = Json.mapper();

    private final RecordingInputStream body;
    private final ResourceType type;
    private final boolean claims;
    /** What goes before an item's first field, by which of apiVersion (1) and kind (2) the item already has. */
    private final byte[][] prefixes = new byte[4][];

    private ListPageParser(InputStream body, ResourceType type) {
        this.body = new RecordingInputStream(body);
        this.type = type;
        this.claims = type.group().isEmpty() && type.resource().equals("persistentvolumeclaims");
        String apiVersion = "\"apiVersion\":" + quote(type.apiVersion()) + ",";
        String kind = "\"kind\":" + quote(type.kind()) + ",";
        prefixes[0] = ("{" + apiVersion + kind).getBytes(StandardCharsets.UTF_8);
        prefixes[1] = ("{" + kind).getBytes(StandardCharsets.UTF_8);
        prefixes[2] = ("{" + apiVersion).getBytes(StandardCharsets.UTF_8);
    }

    /** A whole page held in memory: for bodies that are already bytes. */
    static ObjectPage parse(byte[] body, ResourceType type) {
        List<ListedObject> items = new ArrayList<>();
        String next = parse(new ByteArrayInputStream(body), type, items::add);
        return new ObjectPage(items, next);
    }

    /**
     * Reads {@code body} to its end (and closes it), handing each item to {@code items} as it is read.
     *
     * @return the continue token of the next page, null on the last page
     */
    static String parse(InputStream body, ResourceType type, Consumer<ListedObject> items) {
        return new ListPageParser(body, type).parse(items);
    }

    private String parse(Consumer<ListedObject> items) {
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a list of " + type + " is not a JSON object");
            }
            String next = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    next = MAPPER.readValue(parser, ListMeta.class).getContinue();
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        items.accept(item(parser));
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return next == null || next.isEmpty() ? null : next;
        } catch (IOException e) {
            throw new UncheckedIOException("reading a list of " + type, e);
        }
    }

    private ListedObject item(JsonParser parser) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        int firstLine = parser.currentTokenLocation().getLineNr();
        body.forgetBefore(start);
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
        long end = parser.currentTokenLocation().getByteOffset() + 1;
        // The parser counts line breaks, and JSON allows them only between tokens: none counted, none to replace.
        boolean lineBreaks = parser.currentTokenLocation().getLineNr() != firstLine;
        if (metadata == null) {
            throw new IllegalArgumentException("an item of a list of " + type + " has no metadata");
        }
        return new ListedObject(metadata, volumeName,
                oneLine(start, end, prefixes[(hasApiVersion ? 1 : 0) + (hasKind ? 2 : 0)], lineBreaks));
    }

    /**
     * The item's bytes with {@code prefix} (the brace and the apiVersion and kind the list left off; null when the
     * item has both) put first, and, when the parser counted {@code lineBreaks}, any line break (only ever whitespace
     * between tokens: JSON escapes them inside strings) made a space. The item has metadata, so a field always follows the opening brace.
     */
    private byte[] oneLine(long start, long end, byte[] prefix, boolean lineBreaks) {
        byte[] json;
        if (prefix == null) {
            json = body.copy(start, end);
        } else {
            long rest = start + 1;
            while (isWhitespace(body.at(rest))) {
                rest++;
            }
            // One copy straight into place: an item can be a megabyte (a Helm release Secret).
            json = new byte[prefix.length + (int) (end - rest)];
            System.arraycopy(prefix, 0, json, 0, prefix.length);
            body.copyInto(rest, end, json, prefix.length);
        }
        if (lineBreaks) {
            for (int i = 0; i < json.length; i++) {
                if (json[i] == '\n' || json[i] == '\r') {
                    json[i] = ' ';
                }
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
