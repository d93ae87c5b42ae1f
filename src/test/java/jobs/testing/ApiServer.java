package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Kubernetes API server test double: fabric8's CRUD mock server stores the objects (or, for benchmarks, an
 * {@link IndexedObjectStore} that keeps them in key order as a real server's storage does), and this dispatcher in
 * front adds what a real kube-apiserver does and the mock lacks, so that production code runs unchanged:
 * <ul>
 *   <li>discovery documents ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/g/v}), custom resources
 *       included once their CRD is created;</li>
 *   <li>{@code limit}/{@code continue} paging in key order, list items without apiVersion/kind, and continue
 *       tokens that expire (410 Gone) after a TTL or on demand; as a real server does, the 410 Status carries a
 *       fresh token in {@code metadata.continue} that continues after the same key (an inconsistent continuation),
 *       unless told not to;</li>
 *   <li>aggregated API groups that are listed in {@code /apis} but answer 503 for discovery and lists (an
 *       APIService whose backend is down);</li>
 *   <li>watches of one object by name over WebSocket, for either store ({@link Watches});</li>
 *   <li>the whole label-selector grammar, set-based requirements included;</li>
 *   <li>404 for a create into a namespace that does not exist, 400 for a create carrying a resourceVersion;</li>
 *   <li>422 for an update or patch that changes an immutable field ({@link Immutables});</li>
 *   <li>namespace deletion: Terminating at once (403 for new content), its objects deleted by a controller, then
 *       the namespace itself;</li>
 *   <li>injected failures (429 with Retry-After, 5xx, 403) for chosen requests.</li>
 * </ul>
 */
public final class ApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final Watches watches;
    private final KubernetesMockServer server;
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger expireNextContinues = new AtomicInteger();
    private final AtomicInteger continueRequests = new AtomicInteger();
    private final AtomicInteger expired = new AtomicInteger();
    private final Set<String> unavailableGroups = ConcurrentHashMap.newKeySet();
    private final Authorizer authorizer = new Authorizer();
    private final Events events = new Events();
    private final Execs execs = new Execs(events);
    /** Namespaces being terminated, with the time their deletion was asked for. */
    private final Map<String, String> terminating = new ConcurrentHashMap<>();
    private final ExecutorService namespaceController = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "api-double-namespace-controller");
        thread.setDaemon(true);
        return thread;
    });
    private volatile int expireEvery;
    private volatile boolean offerTokenOnExpiry = true;
    private final Map<String, AtomicInteger> listCalls = new ConcurrentHashMap<>();
    private final Map<String, Long> largestListAnswers = new ConcurrentHashMap<>();
    private volatile Duration continueTtl = Duration.ofMinutes(5);
    private volatile Duration listLatency = Duration.ZERO;
    private volatile Duration createLatency = Duration.ZERO;
    private volatile Duration requestLatency = Duration.ZERO;
    private KubernetesClient client;

    private ApiServer(ObjectStore store) {
        this.store = store;
        this.watches = new Watches(store);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Front(), false);
    }

    /**
     * A server on fabric8's CRUD mock; {@code -Dkbackup.test.api-store=indexed} runs the suite on the indexed
     * store instead, which is how the two are kept equivalent.
     */
    public static ApiServer start() {
        return "indexed".equals(System.getProperty("kbackup.test.api-store")) ? startIndexed() : start(new CrudObjectStore());
    }

    /** A server on the indexed store, whose requests cost the same at any number of objects. */
    public static ApiServer startIndexed() {
        return start(new IndexedObjectStore());
    }

    private static ApiServer start(ObjectStore store) {
        ApiServer api = new ApiServer(store);
        api.server.init(InetAddress.getLoopbackAddress(), 0);
        return api;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client for seeding and inspecting the server (the code under test builds its own from a kubeconfig). */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = server.createClient();
        }
        return client;
    }

    /** Writes a kubeconfig whose current context points at this server. */
    public Path writeKubeconfig(Path folder) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: test
                    namespace: default
                current-context: test
                users:
                - name: test
                  user:
                    token: %s
                """.formatted(url(), Authorizer.TOKEN);
        try {
            Path file = folder.resolve("kubeconfig");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates objects as they are (through the server, so uid and resourceVersion are set). */
    public void create(HasMetadata... objects) {
        for (HasMetadata o : objects) {
            client().resource(o).create();
        }
    }

    /** Whether this server serves {@code kind} at {@code apiVersion} as its preferred version. */
    public static boolean servesPreferred(String apiVersion, String kind) {
        return ApiResources.BUILT_IN.stream().filter(e -> e.kind().equals(kind) && e.listable() && !e.name().contains("/"))
                .findFirst().map(e -> e.groupVersion().equals(apiVersion)).orElse(false);
    }

    /** The next {@code times} requests whose method and path match answer {@code code}, with Retry-After if given. */
    public void failNext(String method, String pathContains, int times, int code, Integer retryAfterSeconds) {
        failLater(method, pathContains, 0, times, code, retryAfterSeconds);
    }

    /** Like {@link #failNext}, after letting the first {@code skip} matching requests through. */
    public void failLater(String method, String pathContains, int skip, int times, int code, Integer retryAfterSeconds) {
        faults.add(new Fault(r -> r.getMethod().equalsIgnoreCase(method) && r.getPath().contains(pathContains),
                code, retryAfterSeconds, new AtomicInteger(skip), new AtomicInteger(times)));
    }

    /** The next {@code times} list requests that carry a continue token answer 410 Gone. */
    public void expireNextContinues(int times) {
        expireNextContinues.set(times);
    }

    /** Every {@code n}-th list request carrying a continue token answers 410 Gone (0: none). */
    public void expireEveryNthContinue(int n) {
        this.expireEvery = n;
    }

    /** Whether a 410 offers a token for an inconsistent continuation, as kube-apiserver does (default true). */
    public void offerTokenOnExpiry(boolean offer) {
        this.offerTokenOnExpiry = offer;
    }

    /** How many list requests were answered 410 Gone. */
    public int expiredContinues() {
        return expired.get();
    }

    /**
     * An aggregated API group version, listed in {@code /apis}, whose backend is down: its discovery document and
     * everything under it answer 503, as kube-aggregator does for an unavailable APIService.
     */
    public void unavailableGroup(String groupVersion) {
        unavailableGroups.add(groupVersion);
    }

    /**
     * Denies kbackup's account a verb on a resource ({@code group} empty for the core group) in a namespace, or
     * everywhere for a null namespace: requests get RBAC's 403 and access reviews answer not allowed. Denying
     * {@code escalate} on roles or clusterroles, or {@code bind} on them, refuses creating roles or bindings as
     * RBAC refuses a grant of permissions the caller does not hold.
     */
    /** Execs and creations on this server, in order. */
    public Events events() {
        return events;
    }

    /**
     * An RBAC PolicyRule of a Role (its namespace) or ClusterRole (null namespace).
     */
    public record RbacRule(List<String> apiGroups, List<String> resources, List<String> verbs, String namespace) {
    }

    /** From now on kbackup's account may do only what these rules grant, as a real server's RBAC authorizer decides. */
    public void grantOnly(List<RbacRule> rules) {
        authorizer.grantOnly(rules.stream().map(r -> new Authorizer.Grant(r.apiGroups(), r.resources(), r.verbs(), r.namespace())).toList());
    }

    public void deny(String verb, String group, String resource, String namespace) {
        authorizer.deny(verb, group, resource, namespace);
    }

    /**
     * Stores objects straight into the indexed store, as creates through the API would (uid, resourceVersion), for
     * seeds too big to send one request at a time.
     */
    public void load(String apiVersion, String resource, String namespace, List<ObjectNode> objects) {
        if (!(store instanceof IndexedObjectStore indexed)) {
            throw new IllegalStateException("load needs the indexed store (ApiServer.startIndexed())");
        }
        String[] gv = apiVersion.contains("/") ? apiVersion.split("/", 2) : new String[] {"", apiVersion};
        Route route = new Route(gv[0], gv[1], namespace, resource, null);
        try {
            for (ObjectNode o : objects) {
                indexed.load(route, o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every list answer is delayed by this much, as a loaded API server would be. */
    public void listLatency(Duration latency) {
        this.listLatency = latency;
    }

    /** Every answer is delayed by this much, discovery included: a cluster reached over a long link. */
    public void requestLatency(Duration latency) {
        this.requestLatency = latency;
    }

    /** Every create answer is delayed by this much. */
    public void createLatency(Duration latency) {
        this.createLatency = latency;
    }

    public void continueTtl(Duration ttl) {
        this.continueTtl = ttl;
    }

    /** How many watches were opened. */
    public int watchesOpened() {
        return watches.opened();
    }

    /** How many list requests reached the server for paths containing {@code resourcePath}. */
    public int listCalls(String resourcePath) {
        return listCalls.entrySet().stream().filter(e -> e.getKey().contains(resourcePath))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** The biggest list answer, in bytes, sent for paths containing {@code resourcePath}. */
    public long largestListAnswer(String resourcePath) {
        return largestListAnswers.entrySet().stream().filter(e -> e.getKey().contains(resourcePath))
                .mapToLong(Map.Entry::getValue).max().orElse(0);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        namespaceController.shutdownNow();
        watches.close();
        server.destroy();
    }

    /** A call that may fail with an IOException. */
    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    private record Fault(Predicate<RecordedRequest> matches, int code, Integer retryAfter, AtomicInteger skip,
                         AtomicInteger remaining) {

        boolean applies(RecordedRequest request) {
            return matches.test(request) && skip.getAndDecrement() <= 0 && remaining.getAndDecrement() > 0;
        }
    }

    /** A parsed resource path. */
    record Route(String group, String version, String namespace, String resource, String name) {

        /** The path of this route's collection, {@code /api[s]/...[/namespaces/ns]/resource}. */
        String collectionPath() {
            return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
                    + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
        }

        static Route parse(String path) {
            String[] s = path.replaceAll("^/+|/+$", "").split("/");
            int i;
            String group;
            String version;
            if (s.length >= 3 && s[0].equals("api")) {
                group = "";
                version = s[1];
                i = 2;
            } else if (s.length >= 4 && s[0].equals("apis")) {
                group = s[1];
                version = s[2];
                i = 3;
            } else {
                return null;
            }
            String namespace = null;
            if (s.length - i >= 3 && s[i].equals("namespaces")) {
                namespace = s[i + 1];
                i += 2;
            }
            String resource = s[i];
            String name = s.length > i + 1 ? s[i + 1] : null;
            return new Route(group, version, namespace, resource, name);
        }
    }

    private final class Front extends Dispatcher {

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            try {
                MockResponse response = handle(request);
                return requestLatency.toMillis() > 0 ? response.setBodyDelay(requestLatency) : response;
            } catch (IOException e) {
                return status(500, "InternalError", e.toString());
            } catch (IllegalArgumentException e) {
                return status(400, "BadRequest", e.getMessage());
            }
        }

        private MockResponse handle(RecordedRequest request) throws IOException {
            for (Fault fault : faults) {
                if (fault.applies(request)) {
                    MockResponse response = status(fault.code(), "Injected", "injected failure " + fault.code());
                    if (fault.retryAfter() != null) {
                        response.setHeader("Retry-After", fault.retryAfter());
                    }
                    return response;
                }
            }
            URI uri = URI.create("http://localhost" + request.getPath());
            String path = uri.getRawPath();
            for (String gv : unavailableGroups) {
                if (path.equals("/apis/" + gv) || path.startsWith("/apis/" + gv + "/")) {
                    return status(503, "ServiceUnavailable", "the server is currently unable to handle the request");
                }
            }
            Map<String, String> query = query(uri.getRawQuery());
            String method = request.getMethod().toUpperCase();
            Route requested = Route.parse(path);
            byte[] sent = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            JsonNode sentBody = sent.length == 0 || method.equals("GET") ? null : JSON.readTree(sent);
            if (Execs.isExec(path)) {
                if (!authorizer.allowsExec(request.getHeader("Authorization"), requested.namespace())) {
                    return status(403, "Forbidden", "pods \"" + requested.name() + "\" is forbidden: User \"" + Authorizer.USER
                            + "\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"" + requested.namespace() + "\"");
                }
                MockResponse pod = direct("GET", requested.collectionPath() + "/" + requested.name());
                return execs.open(path, uri.getRawQuery(), pod.code() == 200 ? (ObjectNode) JSON.readTree(pod.getBody().getBytes()) : null);
            }
            if (method.equals("POST") && Authorizer.isReview(requested)) {
                return authorizer.review(request.getHeader("Authorization"), sentBody);
            }
            MockResponse forbidden = authorizer.check(request.getHeader("Authorization"), method, requested, query, sentBody);
            if (forbidden != null) {
                return forbidden;
            }
            if (method.equals("GET")) {
                MockResponse discovery = discovery(path);
                if (discovery != null) {
                    return discovery;
                }
                Route route = Route.parse(path);
                if (route != null && route.name() == null && "true".equals(query.get("watch"))) {
                    return watches.open(route, query);
                }
                if (route != null && route.name() == null) {
                    return list(path, route, query);
                }
            }
            if (method.equals("POST")) {
                Route route = Route.parse(path);
                if (route != null && route.namespace() != null && !store.namespaceExists(route.namespace())) {
                    return status(404, "NotFound", "namespaces \"" + route.namespace() + "\" not found");
                }
                if (route != null && route.namespace() != null && terminating.containsKey(route.namespace())) {
                    return status(403, "Forbidden", "unable to create new content in namespace " + route.namespace()
                            + " because it is being terminated");
                }
                JsonNode body = JSON.readTree(request.getBody().getBytes());
                if (body.path("metadata").hasNonNull("resourceVersion")) {
                    return status(400, "BadRequest", "resourceVersion should not be set on objects to be created");
                }
                MockResponse created = store.handle(defaulted(request, route, body), route);
                if (created.code() == 201 || created.code() == 200) {
                    events.add("create " + route.resource() + " " + (route.namespace() == null ? "" : route.namespace() + "/")
                            + body.path("metadata").path("name").asText());
                }
                watches.changed(route);
                return createLatency.toMillis() > 0 ? created.setBodyDelay(createLatency) : created;
            }
            Route route = Route.parse(path);
            if (method.equals("DELETE") && route != null && isNamespace(route) && store.namespaceExists(route.name())) {
                return terminate(route);
            }
            if (method.equals("GET")) {
                MockResponse answer = store.handle(request, route);
                return route != null && isNamespace(route) ? terminatingView(route.name(), answer) : answer;
            }
            MockResponse invalid = (method.equals("PATCH") || method.equals("PUT")) && route != null && route.name() != null
                    ? Immutables.check(request, route, direct("GET", route.collectionPath() + "/" + route.name())) : null;
            if (invalid != null) {
                return invalid;
            }
            RecordedRequest stored = method.equals("PUT") && route != null && sentBody instanceof ObjectNode
                    ? defaulted(request, route, sentBody) : request;
            return write(route, () -> store.handle(stored, route));
        }

        /** The request with its object as the server stores it: conversions and defaults applied. */
        private RecordedRequest defaulted(RecordedRequest request, Route route, JsonNode body) throws IOException {
            if (route == null || !(body instanceof ObjectNode object)) {
                return request;
            }
            ObjectNode copy = object.deepCopy();
            ServerDefaults.apply(route, copy);
            return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                    new Buffer(JSON.writeValueAsBytes(copy)));
        }

        /** A write to one object or a collection, telling the watches what changed and what it deleted. */
        private MockResponse write(Route route, IoCall<MockResponse> call) throws IOException {
            MockResponse before = route != null && route.name() != null ? direct("GET", route.collectionPath() + "/" + route.name()) : null;
            MockResponse answer = call.run();
            if (before != null && before.code() == 200 && direct("GET", route.collectionPath() + "/" + route.name()).code() == 404) {
                watches.deleted(route, (ObjectNode) JSON.readTree(before.getBody().getBytes()));
            } else {
                watches.changed(route);
            }
            return answer;
        }

        private static boolean isNamespace(Route route) {
            return route.group().isEmpty() && route.resource().equals("namespaces") && route.name() != null && route.namespace() == null;
        }

        /**
         * What kube-apiserver and the namespace controller do with a namespace deletion: the namespace is marked
         * Terminating at once (and refuses new content with 403), then its objects of every namespaced type are
         * deleted, and the namespace goes once none is left (objects with finalizers hold it, on the store that
         * honours them).
         */
        private MockResponse terminate(Route route) throws IOException {
            String namespace = route.name();
            if (terminating.putIfAbsent(namespace, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()) == null) {
                namespaceController.submit(() -> finalizeNamespace(route));
            }
            return terminatingView(namespace, direct("GET", route.collectionPath() + "/" + namespace));
        }

        /**
         * A namespace being terminated as a real server shows it. The state is kept here rather than in the store:
         * the CRUD mock deletes an object the moment it has a deletionTimestamp and no finalizers.
         */
        private MockResponse terminatingView(String namespace, MockResponse stored) throws IOException {
            String since = terminating.get(namespace);
            if (since == null || stored.code() != 200) {
                return stored;
            }
            ObjectNode object = (ObjectNode) JSON.readTree(stored.getBody().getBytes());
            object.with("metadata").put("deletionTimestamp", since);
            object.with("status").put("phase", "Terminating");
            return json(200, object);
        }

        private void finalizeNamespace(Route namespaceRoute) {
            String namespace = namespaceRoute.name();
            try {
                // As long as it takes: an object whose finalizer is never removed holds its namespace for ever.
                while (!Thread.currentThread().isInterrupted()) {
                    boolean left = false;
                    for (Map.Entry<String, List<ApiResources.Entry>> gv : resources().entrySet()) {
                        for (ApiResources.Entry e : gv.getValue()) {
                            if (!e.namespaced() || !e.listable() || e.name().contains("/")) {
                                continue;
                            }
                            Route type = new Route(e.group(), e.version(), namespace, e.name(), null);
                            ObjectStore.Page page = store.page(type, null, labels -> true, null, 0);
                            if (page == null) {
                                continue;
                            }
                            for (ObjectNode item : page.items()) {
                                left = true;
                                if (!item.path("metadata").has("deletionTimestamp")) {
                                    String name = item.path("metadata").path("name").asText();
                                    Route object = new Route(type.group(), type.version(), namespace, type.resource(), name);
                                    write(object, () -> direct("DELETE", type.collectionPath() + "/" + name));
                                }
                            }
                        }
                    }
                    if (!left) {
                        write(namespaceRoute, () -> direct("DELETE", namespaceRoute.collectionPath() + "/" + namespace));
                        return;
                    }
                    Thread.sleep(50);
                }
            } catch (IOException | RuntimeException e) {
                // A controller that died silently would leave tests waiting for nothing.
                System.err.println("API double: terminating namespace " + namespace + " failed: " + e);
                e.printStackTrace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                terminating.remove(namespace);
            }
        }

        /** A request to the store itself, past this front (the controllers' own writes). */
        private MockResponse direct(String method, String path) throws IOException {
            return direct(method, path, null);
        }

        private MockResponse direct(String method, String path, JsonNode body) throws IOException {
            Buffer buffer = body == null ? new Buffer() : new Buffer(JSON.writeValueAsBytes(body));
            Headers headers = Headers.builder().add("Content-Type", "application/json").build();
            return store.handle(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path, headers, buffer), Route.parse(path));
        }

        private MockResponse list(String path, Route route, Map<String, String> query) throws IOException {
            listCalls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String after = null;
            String token = query.get("continue");
            if (token != null && !token.isEmpty()) {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\n", 2);
                long issued = Long.parseLong(parts[0]);
                boolean tooOld = System.currentTimeMillis() - issued > continueTtl.toMillis();
                int every = expireEvery;
                boolean nth = every > 0 && continueRequests.incrementAndGet() % every == 0;
                if (tooOld || nth || expireNextContinues.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    expired.incrementAndGet();
                    MockResponse gone = status(410, "Expired", "The provided continue parameter is too old to display a "
                            + "consistent list result. You can start a new list without the continue parameter, or use "
                            + "the continue token in this response to retrieve the remainder of the results.");
                    if (offerTokenOnExpiry) {
                        // kube-apiserver: a token from the current state that continues after the same key.
                        ObjectNode body = (ObjectNode) JSON.readTree(gone.getBody().getBytes());
                        body.with("metadata").put("continue", token(parts[1]));
                        gone.setBody(body.toString());
                    }
                    return gone;
                }
                after = parts[1];
            }
            int limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : 0;
            ObjectStore.Page found = store.page(route, query.get("fieldSelector"), Selectors.parse(query.get("labelSelector")),
                    after, limit);
            if (found == null) {
                return status(404, "NotFound", "the server could not find the requested resource");
            }
            ArrayNode page = JSON.createArrayNode();
            String lastKey = null;
            for (ObjectNode item : found.items()) {
                if (isBuiltIn(route.group())) {
                    // A real server leaves apiVersion and kind off the items of a built-in list.
                    item.remove("apiVersion");
                    item.remove("kind");
                }
                page.add(item);
                lastKey = key(item);
            }
            int remaining = found.remaining();
            ObjectNode metadata = JSON.createObjectNode();
            metadata.put("resourceVersion", String.valueOf(store.resourceVersion()));
            if (remaining > 0) {
                metadata.put("continue", token(lastKey));
                metadata.put("remainingItemCount", remaining);
            }
            ObjectNode result = JSON.createObjectNode();
            result.put("apiVersion", route.group().isEmpty() ? route.version() : route.group() + "/" + route.version());
            result.put("kind", found.kind());
            result.set("metadata", metadata);
            result.set("items", page);
            MockResponse response = json(200, result);
            largestListAnswers.merge(path, response.getBody().size(), Math::max);
            // Vert.x refuses timers under 1 ms, so only a real latency is scheduled.
            return listLatency.toMillis() > 0 ? response.setBodyDelay(listLatency) : response;
        }

        /** A continue token: when it was issued and the key it continues after, as this server alone reads it. */
        private String token(String afterKey) {
            String next = System.currentTimeMillis() + "\n" + afterKey;
            return Base64.getUrlEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8));
        }

        private MockResponse discovery(String path) throws IOException {
            if (path.equals("/api")) {
                ObjectNode versions = JSON.createObjectNode().put("kind", "APIVersions");
                versions.putArray("versions").add("v1");
                versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                        .put("serverAddress", "127.0.0.1");
                return json(200, versions);
            }
            Map<String, List<ApiResources.Entry>> byGroupVersion = resources();
            if (path.equals("/apis")) {
                Map<String, List<String>> groups = new LinkedHashMap<>();
                byGroupVersion.keySet().stream().filter(gv -> gv.contains("/"))
                        .forEach(gv -> groups.computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new ArrayList<>()).add(gv));
                unavailableGroups.forEach(gv ->
                        groups.computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new ArrayList<>()).add(gv));
                ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
                ArrayNode items = list.putArray("groups");
                groups.forEach((group, gvs) -> {
                    ObjectNode g = items.addObject().put("name", group);
                    ArrayNode versions = g.putArray("versions");
                    gvs.forEach(gv -> versions.addObject().put("groupVersion", gv).put("version", gv.substring(gv.indexOf('/') + 1)));
                    g.set("preferredVersion", versions.get(0).deepCopy());
                });
                return json(200, list);
            }
            String groupVersion = path.startsWith("/api/") ? path.substring(5) : path.startsWith("/apis/") ? path.substring(6) : null;
            if (groupVersion == null || groupVersion.split("/").length != (path.startsWith("/api/") ? 1 : 2)) {
                return null;
            }
            List<ApiResources.Entry> entries = byGroupVersion.get(groupVersion);
            if (entries == null) {
                return status(404, "NotFound", "the server could not find the requested resource");
            }
            ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                    .put("groupVersion", groupVersion);
            ArrayNode resources = list.putArray("resources");
            for (ApiResources.Entry e : entries) {
                ObjectNode r = resources.addObject().put("name", e.name()).put("singularName", "")
                        .put("namespaced", e.namespaced()).put("kind", e.kind());
                ArrayNode verbs = r.putArray("verbs");
                (e.listable() ? List.of("create", "delete", "get", "list", "patch", "update", "watch") : List.of("create"))
                        .forEach(verbs::add);
                if (!e.shortNames().isEmpty()) {
                    ArrayNode shortNames = r.putArray("shortNames");
                    e.shortNames().forEach(shortNames::add);
                }
            }
            return json(200, list);
        }

        /** Built-in resources plus those of the CRDs stored in the server, by group version, preferred first. */
        private Map<String, List<ApiResources.Entry>> resources() throws IOException {
            Map<String, List<ApiResources.Entry>> byGroupVersion = new LinkedHashMap<>();
            for (ApiResources.Entry e : ApiResources.BUILT_IN) {
                byGroupVersion.computeIfAbsent(e.groupVersion(), gv -> new ArrayList<>()).add(e);
            }
            for (JsonNode crd : store.customResourceDefinitions()) {
                JsonNode spec = crd.path("spec");
                JsonNode names = spec.path("names");
                List<String> shortNames = new ArrayList<>();
                names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
                for (JsonNode v : spec.path("versions")) {
                    if (v.path("served").asBoolean(true)) {
                        ApiResources.Entry e = new ApiResources.Entry(spec.path("group").asText(), v.path("name").asText(),
                                names.path("plural").asText(), names.path("kind").asText(),
                                "Namespaced".equals(spec.path("scope").asText()), true, shortNames);
                        byGroupVersion.computeIfAbsent(e.groupVersion(), gv -> new ArrayList<>()).add(e);
                    }
                }
            }
            return byGroupVersion;
        }
    }

    private static boolean isBuiltIn(String group) {
        return ApiResources.BUILT_IN.stream().anyMatch(e -> e.group().equals(group));
    }

    static String key(JsonNode item) {
        JsonNode meta = item.path("metadata");
        String ns = meta.path("namespace").asText("");
        return ns.isEmpty() ? meta.path("name").asText() : ns + "/" + meta.path("name").asText();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(k, v);
            }
        }
        return params;
    }

    static MockResponse json(int code, JsonNode body) throws IOException {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(JSON.writeValueAsString(body));
    }

    static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
                .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        status.putObject("metadata");
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(status.toString());
    }
}
