package jobs.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.kube.Fabric8Cluster;
import jobs.kube.ResourceType;

/**
 * The floor a backup is measured against: every listable type across all namespaces, in pages of {@code limit}, as
 * {@code kubectl get --chunk-size} would ask for them, read as bytes through fabric8's HTTP client and dropped.
 * Nothing is parsed but the head of each answer, for its continue token and remaining count; a type whose first
 * page is its last is counted with a streaming tokenizer. Run in a JVM of its own with the backup's heap, so both
 * start cold; discovery is done before the clock starts, as the backup's is (its own step). Prints
 * {@code objects seconds}.
 */
final class ListFloor {

    /** A list answer's metadata comes before its items: its continue token and remaining count are in the head. */
    private static final int HEAD = 8 * 1024;
    /** Answers kept whole, to count their items, when they turn out to be a type's only page. */
    private static final int KEEP = 4 * 1024 * 1024;
    private static final Pattern CONTINUE = Pattern.compile("\"continue\":\"([^\"]*)\"");
    private static final Pattern REMAINING = Pattern.compile("\"remainingItemCount\":(\\d+)");

    private ListFloor() {
    }

    public static void main(String[] args) throws Exception {
        String server = args[0];
        long limit = Long.parseLong(args[1]);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(server).withOauthToken("test-token").build()).build()) {
            List<ResourceType> types = new Fabric8Cluster(client).discover().types();
            HttpClient http = client.getHttpClient();
            String base = server.replaceAll("/+$", "");
            long start = System.nanoTime();
            long objects = 0;
            for (ResourceType type : types) {
                String path = base + (type.group().isEmpty() ? "/api/" + type.version() : "/apis/" + type.group() + "/" + type.version())
                        + "/" + type.resource() + "?limit=" + limit;
                Page first = page(http, path);
                if (first.next() == null) {
                    objects += count(first.kept());
                    continue;
                }
                objects += limit + first.remaining();
                String token = first.next();
                while (token != null) {
                    token = page(http, path + "&continue=" + URLEncoder.encode(token, StandardCharsets.UTF_8)).next();
                }
            }
            System.out.println(objects + " " + (System.nanoTime() - start) / 1e9);
        }
    }

    private record Page(String next, long remaining, byte[] kept) {
    }

    /** Reads one answer to its end, keeping its head (and the whole of a small one). */
    private static Page page(HttpClient http, String url) throws Exception {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long[] total = new long[1];
        AsyncBody.Consumer<List<ByteBuffer>> consumer = (buffers, body) -> {
            for (ByteBuffer buffer : buffers) {
                int n = buffer.remaining();
                if (total[0] < KEEP) {
                    byte[] bytes = new byte[(int) Math.min(n, KEEP - total[0])];
                    buffer.get(bytes);
                    kept.write(bytes);
                }
                total[0] += n;
            }
            body.consume();
        };
        HttpResponse<AsyncBody> response = http.consumeBytes(http.newHttpRequestBuilder().uri(url).build(), consumer).get();
        response.body().consume();
        response.body().done().get();
        if (response.code() != 200) {
            throw new IllegalStateException(url + " answered " + response.code());
        }
        byte[] bytes = kept.toByteArray();
        String head = new String(bytes, 0, Math.min(bytes.length, HEAD), StandardCharsets.UTF_8);
        Matcher next = CONTINUE.matcher(head);
        Matcher remaining = REMAINING.matcher(head);
        String token = next.find() && !next.group(1).isEmpty() ? next.group(1) : null;
        return new Page(token, remaining.find() ? Long.parseLong(remaining.group(1)) : 0, total[0] <= KEEP ? bytes : null);
    }

    /** The items of a whole answer, counted by a tokenizer that binds nothing. */
    private static long count(byte[] body) throws IOException {
        if (body == null) {
            throw new IllegalStateException("a single page bigger than " + KEEP + " bytes");
        }
        long items = 0;
        try (JsonParser parser = new JsonFactory().createParser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        parser.skipChildren();
                        items++;
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
        return items;
    }
}
