package jobs.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Watches of one object by name ({@code ?watch=true&fieldSelector=metadata.name=x}: what fabric8's
 * {@code waitUntilCondition} and a single-object informer open), served over WebSocket as kube-apiserver serves
 * watch events ({@code {"type":"MODIFIED","object":{...}}}), for either object store. A watch starts after the
 * resourceVersion its list returned: an object changed since then is sent at once, later changes as they are made
 * through this server.
 */
final class Watches implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final Set<Watch> open = ConcurrentHashMap.newKeySet();
    /** The last state of deleted objects, by collection path and name: what a watch opened after the list saw. */
    private final Map<String, ObjectNode> tombstones = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "api-double-watches");
        thread.setDaemon(true);
        return thread;
    });

    Watches(ObjectStore store) {
        this.store = store;
    }

    /** Answers a watch request with a WebSocket upgrade; 400 for a watch this double does not serve. */
    MockResponse open(ApiServer.Route route, Map<String, String> query) {
        String field = query.getOrDefault("fieldSelector", "");
        if (!field.startsWith("metadata.name=") || field.contains(",")) {
            return ApiServer.status(400, "BadRequest", "this API server double serves watches of one object by name only");
        }
        long from = parse(query.get("resourceVersion"));
        opened.incrementAndGet();
        return new MockResponse().withWebSocketUpgrade(new Watch(route, field.substring("metadata.name=".length()), from));
    }

    /** After a create, update, patch or delete on {@code route}: tells the watches of what it touched. */
    void changed(ApiServer.Route route) {
        if (route == null) {
            return;
        }
        for (Watch watch : open) {
            if (watch.collection.group().equals(route.group()) && watch.collection.resource().equals(route.resource())
                    && java.util.Objects.equals(watch.collection.namespace(), route.namespace())
                    && (route.name() == null || route.name().equals(watch.name))) {
                sender.execute(watch::check);
            }
        }
    }

    /**
     * Records an object that a request deleted, so that a watch opened from a list that still held it is told
     * DELETED, as kube-apiserver replays the events since a watch's resourceVersion.
     */
    void deleted(ApiServer.Route route, ObjectNode last) {
        tombstones.put(route.collectionPath() + "/" + route.name(), last);
        changed(route);
    }

    /** How many watches were opened. */
    int opened() {
        return opened.get();
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }

    private static long parse(String resourceVersion) {
        try {
            return resourceVersion == null || resourceVersion.isEmpty() ? 0 : Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private final class Watch extends WebSocketListener {

        private final ApiServer.Route collection;
        private final String name;
        private long seenVersion;
        private ObjectNode last;
        private boolean known;
        private volatile WebSocket socket;

        Watch(ApiServer.Route route, String name, long from) {
            this.collection = new ApiServer.Route(route.group(), route.version(), route.namespace(), route.resource(), null);
            this.name = name;
            this.seenVersion = from;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            socket = webSocket;
            open.add(this);
            sender.execute(this::check);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            open.remove(this);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            open.remove(this);
        }

        /** Compares the object with what this watch last saw and sends what changed; on the sender thread only. */
        void check() {
            try {
                List<ObjectNode> found = store.page(collection, "metadata.name=" + name, labels -> true, null, 0).items();
                ObjectNode now = found.isEmpty() ? null : found.get(0);
                if (now == null) {
                    ObjectNode gone = last;
                    if (gone == null && !known) {
                        // Deleted between the list this watch started from and its opening.
                        ObjectNode tombstone = tombstones.get(collection.collectionPath() + "/" + name);
                        if (tombstone != null && parse(tombstone.path("metadata").path("resourceVersion").asText()) <= seenVersion) {
                            gone = tombstone;
                        }
                    }
                    if (gone != null) {
                        send("DELETED", gone);
                        last = null;
                    }
                    known = true;
                    return;
                }
                long version = parse(now.path("metadata").path("resourceVersion").asText());
                if (version > seenVersion) {
                    send(known || last != null ? "MODIFIED" : "ADDED", now);
                    seenVersion = version;
                }
                known = true;
                last = now;
            } catch (IOException | RuntimeException e) {
                // The store failed to answer: a real watch would end here too, and the client would start another.
                WebSocket webSocket = socket;
                if (webSocket != null) {
                    webSocket.close(1011, e.toString());
                }
            }
        }

        private void send(String type, ObjectNode object) throws IOException {
            ObjectNode event = JSON.createObjectNode().put("type", type);
            event.set("object", object);
            socket.send(JSON.writeValueAsString(event));
        }
    }
}
