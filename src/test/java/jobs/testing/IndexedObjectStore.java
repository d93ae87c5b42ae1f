package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An object store with the access paths of a real API server's storage: one sorted map per resource, keyed
 * {@code namespace/name}, so get, create and delete are O(log n) and a page is O(page) plus a count of the rest.
 * Objects are kept as JSON bytes (with their labels for selectors), which keeps 100,000 objects in a few hundred MB.
 * It answers what the jobs and tests use: get, create (409 when the name is taken, generateName), replace (409 on
 * a stale resourceVersion), JSON merge, strategic merge (as merge) and JSON patches, delete of one object or of a
 * collection, and the {@code metadata.name}/{@code metadata.namespace} field selectors.
 */
final class IndexedObjectStore implements ObjectStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRDS = "apiextensions.k8s.io/customresourcedefinitions";

    private final Map<String, ConcurrentSkipListMap<String, Stored>> types = new ConcurrentHashMap<>();
    private final AtomicLong resourceVersion = new AtomicLong(1000);

    private record Stored(byte[] json, Map<String, String> labels) {

        ObjectNode object() throws IOException {
            return (ObjectNode) JSON.readTree(json);
        }
    }

    private NavigableMap<String, Stored> type(ApiServer.Route route) {
        return types.computeIfAbsent(route.group() + "/" + route.resource(), t -> new ConcurrentSkipListMap<>());
    }

    private static String key(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    @Override
    public Page page(ApiServer.Route route, String fieldSelector, Predicate<Map<String, String>> selector, String after, int limit)
            throws IOException {
        NavigableMap<String, Stored> objects = type(route);
        if (route.namespace() != null) {
            objects = objects.subMap(route.namespace() + "/", true, route.namespace() + "0", false);
        }
        if (after != null) {
            objects = objects.tailMap(after, false);
        }
        FieldSelector fields = FieldSelector.parse(fieldSelector);
        List<ObjectNode> items = new ArrayList<>();
        int remaining = 0;
        for (Map.Entry<String, Stored> e : objects.entrySet()) {
            if (!selector.test(e.getValue().labels()) || !fields.matches(e.getKey())) {
                continue;
            }
            if (limit > 0 && items.size() == limit) {
                remaining++;
            } else {
                items.add(e.getValue().object());
            }
        }
        return new Page(kind(route) + "List", items, remaining);
    }

    private String kind(ApiServer.Route route) throws IOException {
        for (ApiResources.Entry e : ApiResources.BUILT_IN) {
            if (e.group().equals(route.group()) && e.name().equals(route.resource())) {
                return e.kind();
            }
        }
        for (JsonNode crd : customResourceDefinitions()) {
            JsonNode spec = crd.path("spec");
            if (spec.path("group").asText().equals(route.group()) && spec.path("names").path("plural").asText().equals(route.resource())) {
                return spec.path("names").path("kind").asText();
            }
        }
        return "";
    }

    @Override
    public MockResponse handle(RecordedRequest request, ApiServer.Route route) throws IOException {
        String method = request.getMethod().toUpperCase();
        if (route.name() == null) {
            return switch (method) {
                case "POST" -> create(route, (ObjectNode) JSON.readTree(request.getBody().getBytes()));
                case "DELETE" -> deleteCollection(route);
                default -> ApiServer.status(405, "MethodNotAllowed", method + " is not supported on a collection here");
            };
        }
        String key = key(route.namespace(), route.name());
        NavigableMap<String, Stored> objects = type(route);
        Stored stored = objects.get(key);
        if (stored == null) {
            return notFound(route);
        }
        return switch (method) {
            case "GET" -> ApiServer.json(200, stored.object());
            case "DELETE" -> delete(route, key, stored);
            case "PUT" -> replace(route, key, stored, (ObjectNode) JSON.readTree(request.getBody().getBytes()));
            case "PATCH" -> replace(route, key, stored, patch(stored.object(), request));
            default -> ApiServer.status(405, "MethodNotAllowed", method + " is not supported here");
        };
    }

    /** Stores an object as a create through the API would, without the HTTP round trip (for big seeds). */
    void load(ApiServer.Route route, ObjectNode object) throws IOException {
        MockResponse created = create(route, object);
        if (created.code() != 201) {
            throw new IllegalStateException("could not load " + route + ": " + created.getBody());
        }
    }

    private MockResponse create(ApiServer.Route route, ObjectNode object) throws IOException {
        ObjectNode metadata = object.with("metadata");
        if (!metadata.hasNonNull("name") && metadata.hasNonNull("generateName")) {
            metadata.put("name", metadata.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5));
        }
        if (!metadata.hasNonNull("name")) {
            return ApiServer.status(422, "Invalid", "metadata.name: Required value");
        }
        if (route.namespace() != null) {
            metadata.put("namespace", route.namespace());
        }
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        metadata.put("generation", 1);
        metadata.put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
        String name = metadata.get("name").asText();
        if (type(route).putIfAbsent(key(route.namespace(), name), stored(object)) != null) {
            return ApiServer.status(409, "AlreadyExists", route.resource() + " \"" + name + "\" already exists");
        }
        return ApiServer.json(201, object);
    }

    private MockResponse replace(ApiServer.Route route, String key, Stored stored, ObjectNode update) throws IOException {
        ObjectNode current = stored.object();
        ObjectNode metadata = update.with("metadata");
        String expected = metadata.path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText();
        if (!expected.isEmpty() && !expected.equals(actual)) {
            return ApiServer.status(409, "Conflict", "Operation cannot be fulfilled on " + route.resource() + " \""
                    + route.name() + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
        for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "namespace", "name")) {
            JsonNode value = current.path("metadata").get(kept);
            if (value != null) {
                metadata.set(kept, value);
            }
        }
        metadata.put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
        JsonNode finalizers = metadata.path("finalizers");
        if (current.path("metadata").has("deletionTimestamp") && (!finalizers.isArray() || finalizers.isEmpty())) {
            // The last finalizer of an object being deleted is gone: the deletion completes.
            type(route).remove(key, stored);
            return ApiServer.json(200, update);
        }
        if (!type(route).replace(key, stored, stored(update))) {
            return ApiServer.status(409, "Conflict", route.resource() + " \"" + route.name() + "\" was modified concurrently");
        }
        return ApiServer.json(200, update);
    }

    private static ObjectNode patch(ObjectNode current, RecordedRequest request) throws IOException {
        String contentType = String.valueOf(request.getHeader("Content-Type"));
        byte[] body = request.getBody().getBytes();
        if (contentType.contains("json-patch")) {
            ObjectNode patched = (ObjectNode) JsonPatch.apply(JSON.readTree(body), current);
            patched.with("metadata").remove("resourceVersion");
            return patched;
        }
        // merge-patch and strategic-merge-patch: RFC 7386 (a strategic merge of lists is not modelled).
        JsonValue target = Json.createReader(new StringReader(JSON.writeValueAsString(current))).readValue();
        JsonValue patch = Json.createReader(new StringReader(new String(body, java.nio.charset.StandardCharsets.UTF_8))).readValue();
        ObjectNode merged = (ObjectNode) JSON.readTree(Json.createMergePatch(patch).apply(target).toString());
        if (!JSON.readTree(body).path("metadata").has("resourceVersion")) {
            merged.with("metadata").remove("resourceVersion");
        }
        return merged;
    }

    /** Like a real server, an object with finalizers is only marked as being deleted until they are removed. */
    private MockResponse delete(ApiServer.Route route, String key, Stored stored) throws IOException {
        ObjectNode object = stored.object();
        JsonNode finalizers = object.path("metadata").path("finalizers");
        if (finalizers.isArray() && !finalizers.isEmpty()) {
            if (!object.path("metadata").has("deletionTimestamp")) {
                object.with("metadata").put("deletionTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                object.with("metadata").put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
                type(route).replace(key, stored, stored(object));
            }
            return ApiServer.json(200, object);
        }
        return type(route).remove(key) == null ? notFound(route) : ApiServer.json(200, object);
    }

    private MockResponse deleteCollection(ApiServer.Route route) {
        NavigableMap<String, Stored> objects = type(route);
        if (route.namespace() != null) {
            objects = objects.subMap(route.namespace() + "/", true, route.namespace() + "0", false);
        }
        objects.clear();
        return ApiServer.status(200, "", "deleted");
    }

    private static Stored stored(ObjectNode object) throws IOException {
        return new Stored(JSON.writeValueAsBytes(object), CrudObjectStore.labels(object));
    }

    private static MockResponse notFound(ApiServer.Route route) {
        return ApiServer.status(404, "NotFound", route.resource() + " \"" + route.name() + "\" not found");
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return types.getOrDefault("/namespaces", new ConcurrentSkipListMap<>()).containsKey(namespace);
    }

    @Override
    public List<JsonNode> customResourceDefinitions() throws IOException {
        List<JsonNode> crds = new ArrayList<>();
        for (Stored s : types.getOrDefault(CRDS, new ConcurrentSkipListMap<>()).values()) {
            crds.add(s.object());
        }
        return crds;
    }

    @Override
    public long resourceVersion() {
        return resourceVersion.get();
    }

    /** The equality field selectors a real server supports on every type: metadata.name and metadata.namespace. */
    private record FieldSelector(String name, String namespace) {

        static FieldSelector parse(String text) {
            String name = null;
            String namespace = null;
            if (text != null && !text.isBlank()) {
                for (String term : text.split(",")) {
                    String[] kv = term.split("==?", 2);
                    if (kv.length != 2 || kv[0].endsWith("!")) {
                        throw new IllegalArgumentException("unsupported field selector " + term);
                    }
                    switch (kv[0].trim()) {
                        case "metadata.name" -> name = kv[1].trim();
                        case "metadata.namespace" -> namespace = kv[1].trim();
                        default -> throw new IllegalArgumentException("unsupported field selector " + term);
                    }
                }
            }
            return new FieldSelector(name, namespace);
        }

        boolean matches(String key) {
            int slash = key.indexOf('/');
            String objectName = slash < 0 ? key : key.substring(slash + 1);
            String objectNamespace = slash < 0 ? "" : key.substring(0, slash);
            return (name == null || name.equals(objectName)) && (namespace == null || namespace.equals(objectNamespace));
        }
    }
}
