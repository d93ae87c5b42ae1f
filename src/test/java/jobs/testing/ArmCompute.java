package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local test double of the ARM compute API (managed disks and snapshots), faithful to the REST shapes the Azure
 * SDK expects: PUT answers 202 with an {@code Azure-AsyncOperation} URL that reports InProgress until the
 * configured latency has passed and then Succeeded or Failed, followed by the final GET; DELETE answers 202 with a
 * {@code Location} to poll; missing resources are 404 with an ARM error body; lists page with an absolute
 * {@code nextLink}; and chosen requests can be answered with 429 and {@code Retry-After}.
 */
public final class ArmCompute implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESOURCE = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/(disks|snapshots)(?:/([^/?]+))?");

    private final HttpServer server;
    private final Map<String, ObjectNode> resources = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger snapshotPuts = new AtomicInteger();
    private final List<String> failingDisks = new ArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile Events events;
    private volatile int pageSize = 50;
    private volatile boolean failDeletes;

    private record Operation(String resourceId, long doneAtMillis, boolean fails, boolean delete) {
    }

    private ArmCompute() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
    }

    public static ArmCompute start() {
        try {
            ArmCompute arm = new ArmCompute();
            arm.server.start();
            return arm;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Logs each snapshot PUT this double accepts ("create snapshots NAME") and each GET of a disk or snapshot ("get disks
     * NAME"), in the API double's event log. */
    public ArmCompute events(Events log) {
        this.events = log;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** How long a create or delete stays InProgress. */
    public void latency(Duration latency) {
        this.latency = latency;
    }

    /** The next {@code n} requests answer 429 with Retry-After: 1. */
    public void throttleNext(int n) {
        throttleNext.set(n);
    }

    /** Snapshots of this disk fail (the operation reports Failed). */
    public synchronized void failSnapshotsOf(String diskId) {
        failingDisks.add(diskId.toLowerCase());
    }

    /** Snapshot deletes answer 409 (as for a snapshot in use by a disk being created from it). */
    public void failDeletes(boolean fail) {
        this.failDeletes = fail;
    }

    public void listPageSize(int size) {
        this.pageSize = size;
    }

    /**
     * The properties of a managed disk the CSI driver provisioned: what a StorageClass and the node pool decide.
     *
     * @param zone                null for a regional disk
     * @param encryptionSet       a disk encryption set id (customer-managed keys), or null for platform keys
     * @param networkAccessPolicy AllowAll, AllowPrivate or DenyAll
     */
    public record DiskSpec(String region, String zone, String sku, int sizeGb, Map<String, String> tags,
                           String encryptionSet, String networkAccessPolicy) {

        public static DiskSpec regional(String region) {
            return new DiskSpec(region, null, "Standard_LRS", 8, Map.of(), null, "AllowAll");
        }

        public DiskSpec inZone(String zone) {
            return new DiskSpec(region, zone, sku, sizeGb, tags, encryptionSet, networkAccessPolicy);
        }

        public DiskSpec with(String sku, int sizeGb, Map<String, String> tags, String encryptionSet, String networkAccessPolicy) {
            return new DiskSpec(region, zone, sku, sizeGb, tags, encryptionSet, networkAccessPolicy);
        }
    }

    /** Adds a regional Standard_LRS managed disk of 8 GB, as the cluster's CSI driver would have created it. */
    public String addDisk(String subscription, String group, String name, String region) {
        return addDisk(subscription, group, name, DiskSpec.regional(region));
    }

    /** Adds a managed disk with these properties, in ARM's shape. */
    public String addDisk(String subscription, String group, String name, DiskSpec spec) {
        String id = "/subscriptions/" + subscription + "/resourceGroups/" + group + "/providers/Microsoft.Compute/disks/" + name;
        ObjectNode disk = JSON.createObjectNode().put("id", id).put("name", name).put("type", "Microsoft.Compute/disks")
                .put("location", spec.region());
        disk.putObject("sku").put("name", spec.sku());
        if (spec.zone() != null) {
            disk.putArray("zones").add(spec.zone());
        }
        spec.tags().forEach(disk.putObject("tags")::put);
        ObjectNode properties = disk.putObject("properties").put("provisioningState", "Succeeded").put("diskSizeGB", spec.sizeGb())
                .put("networkAccessPolicy", spec.networkAccessPolicy()).put("diskState", "Attached");
        ObjectNode encryption = properties.putObject("encryption");
        if (spec.encryptionSet() == null) {
            encryption.put("type", "EncryptionAtRestWithPlatformKey");
        } else {
            encryption.put("type", "EncryptionAtRestWithCustomerKey").put("diskEncryptionSetId", spec.encryptionSet());
        }
        resources.put(id.toLowerCase(), disk);
        return id;
    }

    /**
     * Adds a snapshot of a disk, in ARM's shape, as another tool (Velero's Azure plugin) would have taken it: a
     * full snapshot in the disk's region, whose disk properties a restore copies.
     */
    public String addSnapshot(String subscription, String group, String name, String sourceDiskId, String region, int sizeGb) {
        String id = "/subscriptions/" + subscription + "/resourceGroups/" + group + "/providers/Microsoft.Compute/snapshots/" + name;
        ObjectNode snapshot = JSON.createObjectNode().put("id", id).put("name", name).put("type", "Microsoft.Compute/snapshots")
                .put("location", region);
        snapshot.putObject("sku").put("name", "Standard_LRS");
        ObjectNode properties = snapshot.putObject("properties").put("provisioningState", "Succeeded").put("diskSizeGB", sizeGb)
                .put("incremental", false);
        properties.putObject("creationData").put("createOption", "Copy").put("sourceResourceId", sourceDiskId);
        resources.put(id.toLowerCase(), snapshot);
        return id;
    }

    /**
     * Attaches a disk to a VM in {@code nodeZone} (null for a node pool without zones), as the CSI driver does when a
     * pod using the PV is scheduled, and answers ARM's refusal if the disk cannot be attached there: a
     * zone-redundant disk attaches in any zone; a locally redundant one only in its own zone, and a regional one only
     * to a VM without a zone.
     *
     * @return empty when attached, otherwise ARM's error
     */
    public Optional<String> attach(String diskId, String nodeZone) {
        ObjectNode disk = resources.get(diskId.toLowerCase());
        if (disk == null) {
            return Optional.of("NotFound: disk " + diskId);
        }
        if (disk.path("sku").path("name").asText("Standard_LRS").endsWith("_ZRS")) {
            return Optional.empty();
        }
        String zone = disk.path("zones").path(0).asText(null);
        if (Objects.equals(zone, nodeZone)) {
            return Optional.empty();
        }
        return Optional.of("BadRequest: disk " + disk.path("name").asText() + " in zone " + (zone == null ? "(none)" : zone)
                + " cannot be attached to a VM in zone " + (nodeZone == null ? "(none)" : nodeZone));
    }

    public List<JsonNode> snapshots() {
        return resources.values().stream().filter(r -> r.path("type").asText().equals("Microsoft.Compute/snapshots"))
                .map(r -> (JsonNode) r.deepCopy()).toList();
    }

    public List<JsonNode> disks() {
        return resources.values().stream().filter(r -> r.path("type").asText().equals("Microsoft.Compute/disks"))
                .map(r -> (JsonNode) r.deepCopy()).toList();
    }

    /** How many snapshot creations were requested (PUTs), retries of a throttled request included. */
    public int snapshotPuts() {
        return snapshotPuts.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                send(exchange, 429, error("TooManyRequests", "The request is being throttled."));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.startsWith("/operations/")) {
                operationStatus(exchange, path.substring("/operations/".length()), method);
                return;
            }
            Matcher m = RESOURCE.matcher(path);
            if (!m.matches()) {
                send(exchange, 404, error("InvalidResourceType", "no such path " + path));
                return;
            }
            if (m.group(4) == null) {
                list(exchange, m.group(3), path);
                return;
            }
            String id = path.toLowerCase();
            switch (method) {
                case "GET" -> {
                    Events log = events;
                    if (log != null) {
                        log.add("get " + m.group(3) + " " + m.group(4));
                    }
                    ObjectNode resource = resources.get(id);
                    if (resource == null) {
                        send(exchange, 404, error("ResourceNotFound", "The Resource '" + m.group(4) + "' was not found."));
                    } else {
                        send(exchange, 200, resource);
                    }
                }
                case "PUT" -> put(exchange, m, path);
                case "DELETE" -> delete(exchange, id);
                default -> send(exchange, 405, error("MethodNotAllowed", method));
            }
        } catch (RuntimeException e) {
            send(exchange, 500, error("InternalServerError", e.toString()));
        }
    }

    private void put(HttpExchange exchange, Matcher m, String path) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        JsonNode creation = body.path("properties").path("creationData");
        String sourceId = creation.path("sourceResourceId").asText("");
        boolean snapshot = m.group(3).equals("snapshots");
        if (snapshot) {
            snapshotPuts.incrementAndGet();
        }
        if (!creation.path("createOption").asText().equalsIgnoreCase("Copy") || !resources.containsKey(sourceId.toLowerCase())) {
            send(exchange, 404, error("NotFound", "source resource '" + sourceId + "' not found"));
            return;
        }
        if (!body.hasNonNull("location")) {
            send(exchange, 400, error("LocationRequired", "The location property is required for this definition."));
            return;
        }
        String invalid = snapshot ? null : invalidDisk(body, resources.get(sourceId.toLowerCase()));
        if (invalid != null) {
            send(exchange, 400, error("InvalidParameter", invalid));
            return;
        }
        ObjectNode resource = ((ObjectNode) body).deepCopy();
        ObjectNode source = resources.get(sourceId.toLowerCase());
        if (!resource.path("properties").hasNonNull("diskSizeGB")) {
            // A copy has its source's size unless a larger one is asked for.
            resource.with("properties").put("diskSizeGB", source.path("properties").path("diskSizeGB").asInt());
        }
        if (!resource.has("sku")) {
            resource.putObject("sku").put("name", "Standard_LRS");
        }
        resource.put("id", path).put("name", m.group(4)).put("type", "Microsoft.Compute/" + m.group(3));
        ObjectNode properties = resource.with("properties");
        properties.put("provisioningState", "Creating");
        if (snapshot) {
            properties.put("diskSizeGB", source.path("properties").path("diskSizeGB").asInt());
        } else {
            properties.put("diskState", "Unattached");
        }
        resources.put(path.toLowerCase(), resource);
        boolean fails;
        synchronized (this) {
            fails = snapshot && failingDisks.contains(sourceId.toLowerCase());
        }
        String op = "op-" + ids.incrementAndGet();
        operations.put(op, new Operation(path.toLowerCase(), System.currentTimeMillis() + latency.toMillis(), fails, false));
        exchange.getResponseHeaders().add("Azure-AsyncOperation", url() + "operations/" + op);
        exchange.getResponseHeaders().add("Retry-After", "0");
        Events log = events;
        if (log != null && snapshot) {
            log.add("create snapshots " + m.group(4)); // accepted: an incremental snapshot's point in time is fixed
        }
        send(exchange, 202, resource);
    }

    /** ARM's validation of a disk created from a snapshot: known SKU, a zone of the region, no shrinking. */
    private static String invalidDisk(JsonNode body, JsonNode source) {
        String sku = body.path("sku").path("name").asText("Standard_LRS");
        if (!List.of("Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS",
                "PremiumV2_LRS").contains(sku)) {
            return "The value '" + sku + "' of parameter 'sku.name' is not allowed.";
        }
        for (JsonNode zone : body.path("zones")) {
            if (!List.of("1", "2", "3").contains(zone.asText())) {
                return "The value '" + zone.asText() + "' of parameter 'zones' is not a zone of the region.";
            }
        }
        int size = body.path("properties").path("diskSizeGB").asInt(0);
        int sourceSize = source.path("properties").path("diskSizeGB").asInt(0);
        if (size != 0 && size < sourceSize) {
            return "Disk size " + size + " GB is smaller than the size of the source, " + sourceSize + " GB.";
        }
        return null;
    }

    private void delete(HttpExchange exchange, String id) throws IOException {
        if (failDeletes) {
            send(exchange, 409, error("OperationNotAllowed", "Snapshot is in use by an ongoing disk creation."));
            return;
        }
        if (!resources.containsKey(id)) {
            send(exchange, 204, null);
            return;
        }
        resources.get(id).with("properties").put("provisioningState", "Deleting");
        String op = "op-" + ids.incrementAndGet();
        operations.put(op, new Operation(id, System.currentTimeMillis() + latency.toMillis(), false, true));
        exchange.getResponseHeaders().add("Location", url() + "operations/" + op);
        exchange.getResponseHeaders().add("Retry-After", "0");
        send(exchange, 202, null);
    }

    private void operationStatus(HttpExchange exchange, String op, String method) throws IOException {
        Operation operation = operations.get(op);
        if (operation == null || !method.equals("GET")) {
            send(exchange, 404, error("NotFound", "operation " + op));
            return;
        }
        boolean done = System.currentTimeMillis() >= operation.doneAtMillis();
        if (operation.delete()) {
            // A Location poll: 202 while running, 200 when done.
            if (done) {
                resources.remove(operation.resourceId());
                send(exchange, 200, null);
            } else {
                exchange.getResponseHeaders().add("Location", url() + "operations/" + op);
                exchange.getResponseHeaders().add("Retry-After", "0");
                send(exchange, 202, null);
            }
            return;
        }
        ObjectNode status = JSON.createObjectNode().put("name", op);
        if (!done) {
            status.put("status", "InProgress");
        } else if (operation.fails()) {
            status.put("status", "Failed");
            status.set("error", JSON.createObjectNode().put("code", "InternalDiskManagementError")
                    .put("message", "An internal disk management error occurred."));
            resources.get(operation.resourceId()).with("properties").put("provisioningState", "Failed");
        } else {
            status.put("status", "Succeeded");
            resources.get(operation.resourceId()).with("properties").put("provisioningState", "Succeeded");
        }
        send(exchange, 200, status);
    }

    private void list(HttpExchange exchange, String type, String path) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        int skip = 0;
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("$skiptoken=")) {
                    skip = Integer.parseInt(part.substring("$skiptoken=".length()));
                }
            }
        }
        String prefix = path.toLowerCase() + "/";
        List<ObjectNode> all = resources.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
        ObjectNode page = JSON.createObjectNode();
        var values = page.putArray("value");
        all.stream().skip(skip).limit(pageSize).forEach(values::add);
        if (skip + pageSize < all.size()) {
            page.put("nextLink", url() + path.substring(1) + "?api-version=2025-01-02&$skiptoken=" + (skip + pageSize));
        }
        send(exchange, 200, page);
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("code", code).put("message", message);
        return error;
    }

    private static void send(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().add("x-ms-request-id", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
