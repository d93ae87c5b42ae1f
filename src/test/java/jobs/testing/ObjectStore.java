package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where the API server double keeps objects. {@link ApiServer} puts discovery, paging tokens, selectors and fault
 * injection in front of it, so both stores answer the same protocol: {@link CrudObjectStore} is fabric8's CRUD mock
 * (a scan of every object per request), {@link IndexedObjectStore} keeps each type in key order, as etcd does, so a
 * create or a page costs the same with 100 objects or 100,000.
 */
interface ObjectStore {

    /**
     * One page of a collection: the objects after {@code after} in key order ({@code namespace/name}) that match
     * the selectors, at most {@code limit} (0 for all), and how many more match.
     */
    Page page(ApiServer.Route route, String fieldSelector, Predicate<Map<String, String>> selector, String after, int limit) throws IOException;

    /** Every request on objects that is not a list: get, create, replace, patch, delete. */
    MockResponse handle(RecordedRequest request, ApiServer.Route route) throws IOException;

    boolean namespaceExists(String namespace);

    /** The stored CustomResourceDefinitions, for discovery. */
    List<JsonNode> customResourceDefinitions() throws IOException;

    /** The store's current resourceVersion, for list metadata. */
    long resourceVersion();

    /**
     * A page of objects.
     *
     * @param kind      the list kind, e.g. {@code ConfigMapList}
     * @param items     the objects, whole (apiVersion and kind included)
     * @param remaining how many further objects match
     */
    record Page(String kind, List<ObjectNode> items, int remaining) {
    }
}
