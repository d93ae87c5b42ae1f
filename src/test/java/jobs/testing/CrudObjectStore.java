package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** fabric8's CRUD mock as the object store: every list reads the whole type, then this sorts and pages it. */
final class CrudObjectStore implements ObjectStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

    @Override
    public Page page(ApiServer.Route route, String fieldSelector, Predicate<Map<String, String>> selector, String after, int limit)
            throws IOException {
        String path = route.collectionPath();
        MockResponse all = crud.handleGet(fieldSelector == null ? path
                : path + "?fieldSelector=" + URLEncoder.encode(fieldSelector, StandardCharsets.UTF_8));
        if (all.code() != 200) {
            return null;
        }
        JsonNode list = JSON.readTree(all.getBody().getBytes());
        List<ObjectNode> items = new ArrayList<>();
        list.withArray("items").forEach(item -> {
            if (selector.test(labels(item))) {
                items.add((ObjectNode) item);
            }
        });
        items.sort(Comparator.comparing(ApiServer::key));
        List<ObjectNode> page = new ArrayList<>();
        int remaining = 0;
        for (ObjectNode item : items) {
            if (after != null && ApiServer.key(item).compareTo(after) <= 0) {
                continue;
            }
            if (limit > 0 && page.size() == limit) {
                remaining++;
            } else {
                page.add(item);
            }
        }
        return new Page(list.path("kind").asText("List"), page, remaining);
    }

    static Map<String, String> labels(JsonNode item) {
        Map<String, String> labels = new HashMap<>();
        item.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    @Override
    public MockResponse handle(RecordedRequest request, ApiServer.Route route) {
        return crud.dispatch(request);
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return crud.handleGet("/api/v1/namespaces/" + namespace).code() == 200;
    }

    @Override
    public List<JsonNode> customResourceDefinitions() throws IOException {
        MockResponse crds = crud.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        List<JsonNode> result = new ArrayList<>();
        if (crds.code() == 200) {
            JSON.readTree(crds.getBody().getBytes()).path("items").forEach(result::add);
        }
        return result;
    }

    @Override
    public long resourceVersion() {
        return crud.requestResourceVersion();
    }
}
