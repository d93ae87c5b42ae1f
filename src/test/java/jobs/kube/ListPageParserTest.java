package jobs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import jobs.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** List bodies as API servers write them, and the objects a backup stores from them. */
class ListPageParserTest {

    static final ResourceType CONFIG_MAPS = new ResourceType("", "v1", "configmaps", "ConfigMap", true, List.of());
    static final ResourceType CLAIMS = new ResourceType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, List.of());
    static final ResourceType SECRETS = new ResourceType("", "v1", "secrets", "Secret", true, List.of());
    static final ResourceType WIDGETS = new ResourceType("example.com", "v1", "widgets", "Widget", true, List.of());

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("items without apiVersion and kind get them first", CONFIG_MAPS,
                        "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"9\"},\"items\":["
                                + "{\"metadata\":{\"name\":\"a\",\"namespace\":\"x\"},\"data\":{\"k\":\"v\"}}]}",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"x\"},\"data\":{\"k\":\"v\"}}"),
                Arguments.of("items with apiVersion and kind are kept byte for byte", WIDGETS,
                        "{\"items\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\",\"namespace\":\"x\"},"
                                + "\"spec\":{\"size\":3}}],\"metadata\":{}}",
                        "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\",\"namespace\":\"x\"},\"spec\":{\"size\":3}}"),
                Arguments.of("a group's apiVersion is group/version", WIDGETS,
                        "{\"items\":[{\"metadata\":{\"name\":\"w\"},\"spec\":{}}]}",
                        "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"spec\":{}}"),
                Arguments.of("a pretty-printed body becomes one line per object", CONFIG_MAPS,
                        "{\n  \"items\": [\n    {\n      \"metadata\": {\"name\": \"a\"},\n      \"data\": {\"text\": \"line\\nbreak\"}\n    }\n  ]\n}",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\": {\"name\": \"a\"},       \"data\": {\"text\": \"line\\nbreak\"}     }"),
                Arguments.of("carriage returns and CRLF between tokens become spaces", CONFIG_MAPS,
                        "{\"items\":[{\"metadata\":{\"name\":\"a\"},\r\n\"data\":{\"k\":\"v\"}\r}]}",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},  \"data\":{\"k\":\"v\"} }"),
                Arguments.of("a line break just before the closing brace is one too", CONFIG_MAPS,
                        "{\"items\":[{\"metadata\":{\"name\":\"a\"}\n}\n]}",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"} }"),
                Arguments.of("text outside ASCII is kept as sent", CONFIG_MAPS,
                        "{\"items\":[{\"metadata\":{\"name\":\"a\"},\"data\":{\"greeting\":\"grüß dich ✓\"}}]}",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"greeting\":\"grüß dich ✓\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void storesEachObjectWholeOnOneLine(String why, ResourceType type, String body, String stored) throws Exception {
        ObjectPage page = ListPageParser.parse(body.getBytes(StandardCharsets.UTF_8), type);

        assertThat(page.items()).hasSize(1);
        String json = new String(page.items().get(0).json(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo(stored).doesNotContain("\n").doesNotContain("\r");
        JsonNode parsed = Json.mapper().readTree(json);
        assertThat(parsed.path("kind").asText()).isEqualTo(type.kind());
        assertThat(page.items().get(0).metadata().getName()).isEqualTo(parsed.path("metadata").path("name").asText());
    }

    /**
     * A stream that gives at most a few bytes per read, as a slow network does: the parser reads ahead in blocks and
     * copies each item out by its offsets, so items cut across any number of reads must come out whole.
     */
    static java.io.InputStream trickle(byte[] bytes, long seed) {
        java.util.Random random = new java.util.Random(seed);
        return new java.io.ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void aStreamedBodyGivesTheSameObjectsAsAWholeOne(String why, ResourceType type, String body, String stored) {
        List<ListedObject> streamed = new java.util.ArrayList<>();

        ListPageParser.parse(trickle(body.getBytes(StandardCharsets.UTF_8), 1), type, streamed::add);

        assertThat(streamed).singleElement().satisfies(o -> assertThat(new String(o.json(), StandardCharsets.UTF_8)).isEqualTo(stored));
    }

    @Test
    void bigObjectsAreHandedOnOneByOneAsTheyAreRead() {
        String big = "x".repeat(300_000);
        StringBuilder body = new StringBuilder("{\"metadata\":{\"continue\":\"next\"},\"items\":[");
        for (int i = 0; i < 20; i++) {
            body.append(i == 0 ? "" : ",").append("{\"metadata\":{\"name\":\"s").append(i).append("\"},\"data\":{\"v\":\"")
                    .append(big).append("\"}}");
        }
        byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicLong readWhenHanded = new java.util.concurrent.atomic.AtomicLong();
        java.io.InputStream counted = new java.io.FilterInputStream(trickle(bytes, 2)) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                int n = super.read(b, off, len);
                read += Math.max(0, n);
                readWhenHanded.set(read);
                return n;
            }
        };
        List<String> names = new java.util.ArrayList<>();

        String next = ListPageParser.parse(counted, SECRETS, o -> {
            names.add(o.metadata().getName());
            // Handed on before the rest of the body was read: the page is never held whole.
            assertThat(readWhenHanded.get()).isLessThan((long) (names.size() + 1) * (big.length() + 100));
            assertThat(o.json().length).isBetween(big.length(), big.length() + 200);
        });

        assertThat(next).isEqualTo("next");
        assertThat(names).hasSize(20).startsWith("s0", "s1").endsWith("s19");
    }

    @Test
    void readsTheContinueTokenAndKeysInOrder() {
        String body = "{\"metadata\":{\"continue\":\"tok en/+=\",\"remainingItemCount\":5},\"items\":["
                + "{\"metadata\":{\"name\":\"a\",\"namespace\":\"n1\",\"labels\":{\"app\":\"x\"},\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"}},"
                + "{\"metadata\":{\"name\":\"b\",\"namespace\":\"n2\"}}]}";

        ObjectPage page = ListPageParser.parse(body.getBytes(StandardCharsets.UTF_8), CONFIG_MAPS);

        assertThat(page.continueToken()).isEqualTo("tok en/+=");
        assertThat(page.isLast()).isFalse();
        assertThat(page.items()).extracting(ListedObject::listKey).containsExactly("n1/a", "n2/b");
        assertThat(page.items().get(0).metadata().getLabels()).containsEntry("app", "x");
        assertThat(page.items().get(0).metadata().getDeletionTimestamp()).isNotNull();
    }

    @Test
    void anEmptyContinueTokenOrNullItemsIsTheLastPage() {
        assertThat(ListPageParser.parse("{\"metadata\":{\"continue\":\"\"},\"items\":[]}".getBytes(StandardCharsets.UTF_8), CONFIG_MAPS).isLast()).isTrue();
        ObjectPage none = ListPageParser.parse("{\"items\":null}".getBytes(StandardCharsets.UTF_8), CONFIG_MAPS);
        assertThat(none.items()).isEmpty();
        assertThat(none.isLast()).isTrue();
    }

    @Test
    void aBoundClaimNamesItsVolumeAndOtherTypesDoNotLookInsideTheirSpec() {
        String claim = "{\"items\":[{\"metadata\":{\"name\":\"data\",\"namespace\":\"db\"},\"spec\":{\"volumeName\":\"pv-1\"}},"
                + "{\"metadata\":{\"name\":\"pending\",\"namespace\":\"db\"},\"spec\":{}}]}";
        assertThat(ListPageParser.parse(claim.getBytes(StandardCharsets.UTF_8), CLAIMS).items())
                .extracting(ListedObject::volumeName).containsExactly("pv-1", null);
        String widget = "{\"items\":[{\"metadata\":{\"name\":\"w\"},\"spec\":{\"volumeName\":\"not-a-claim\"}}]}";
        assertThat(ListPageParser.parse(widget.getBytes(StandardCharsets.UTF_8), WIDGETS).items().get(0).volumeName()).isNull();
    }

    @Test
    void anItemWithoutMetadataOrABodyThatIsNoObjectIsRefused() {
        assertThatThrownBy(() -> ListPageParser.parse("{\"items\":[{\"data\":{}}]}".getBytes(StandardCharsets.UTF_8), CONFIG_MAPS))
                .hasMessageContaining("no metadata").hasMessageContaining("configmaps");
        assertThatThrownBy(() -> ListPageParser.parse("[1]".getBytes(StandardCharsets.UTF_8), CONFIG_MAPS))
                .hasMessageContaining("not a JSON object");
    }
}
