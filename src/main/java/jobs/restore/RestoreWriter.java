package jobs.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import jobs.kube.Access;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;
import jobs.snapshot.SnapshotException;
import jobs.store.ChunkCodec;
import jobs.store.RestoreRecord.ItemResult;
import jobs.store.RestoreRecords;
import jobs.support.Json;
import jobs.support.Progress;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * Applies a chunk of objects to the target cluster, several at once, and records each outcome: created; on a
 * conflict, unchanged when the existing object already holds the backed-up state, otherwise skipped (policy skip)
 * or patched to it (policy update); failed with the server's reason. A dry run only reads. The outcomes of each
 * chunk are stored as one result blob, numbered like backup chunks so a resumed restore records each item once.
 */
class RestoreWriter implements ItemStreamWriter<RestoreAction> {

    static final String NEXT_RESULT = "writer.nextResult";
    static final String COUNTS = "writer.counts";
    static final String PROBLEMS = "writer.problems";
    static final String ACCESS = "writer.access";
    /** The restored pods and workloads whose pods run post-restore hooks: the hooks step's input. */
    static final String HOOK_TARGETS = "writer.hookTargets";

    /** A dry run's permission answers, kept in the step's context so a resumed one reports them all. */
    record AccessAnswers(List<Access> allowed, List<Access> denied) {
    }

    private final Cluster cluster;
    private final VolumeMaterializer volumes;
    private final RestorePermissions permissions;
    private final RestoreRecords records;
    private final RestoreParameters parameters;
    private final Progress progress;
    private final Clock clock;
    private final Duration crdTimeout;
    private final ExecutorService pool;
    private int nextResult;
    private Map<String, Long> counts = new TreeMap<>();
    private List<ItemResult> problems = new ArrayList<>();
    private List<HookTarget> hookTargets = new ArrayList<>();

    RestoreWriter(Cluster cluster, VolumeMaterializer volumes, RestoreRecords records, RestoreParameters parameters,
                  Progress progress, Clock clock, Duration crdTimeout, int parallelism) {
        this.cluster = cluster;
        this.volumes = volumes;
        this.permissions = new RestorePermissions(cluster);
        this.records = records;
        this.parameters = parameters;
        this.progress = progress;
        this.clock = clock;
        this.crdTimeout = crdTimeout;
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "restore-apply");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The apply step's state, as its context holds it after any commit: what a resumed step starts from, and what the
     * steps after it read.
     *
     * @param nextResult  how many result blobs are stored
     * @param counts      items per outcome
     * @param problems    the failed, skipped and forbidden items (capped)
     * @param access      a dry run's permission answers, null otherwise
     * @param hookTargets the restored objects whose pods run post-restore hooks
     */
    record State(int nextResult, Map<String, Long> counts, List<ItemResult> problems, AccessAnswers access, List<HookTarget> hookTargets) {

        static State of(ExecutionContext context) {
            try {
                return new State(context.getInt(NEXT_RESULT, 0),
                        context.containsKey(COUNTS) ? Json.mapper().readValue(context.getString(COUNTS),
                                new TypeReference<TreeMap<String, Long>>() { }) : new TreeMap<>(),
                        context.containsKey(PROBLEMS) ? readProblems(context.getString(PROBLEMS)) : new ArrayList<>(),
                        context.containsKey(ACCESS) ? Json.mapper().readValue(context.getString(ACCESS), AccessAnswers.class) : null,
                        context.containsKey(HOOK_TARGETS) ? Json.mapper().readValue(context.getString(HOOK_TARGETS),
                                new TypeReference<List<HookTarget>>() { }) : List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void open(ExecutionContext context) {
        State state = State.of(context);
        nextResult = state.nextResult();
        counts = new TreeMap<>(state.counts());
        problems = new ArrayList<>(state.problems());
        hookTargets = new ArrayList<>(state.hookTargets());
        if (state.access() != null) {
            permissions.remember(state.access().allowed(), state.access().denied());
        }
    }

    @Override
    public void write(Chunk<? extends RestoreAction> chunk) throws Exception {
        // Objects of one type go in parallel; types stay in priority order (a namespace before what lives in it).
        List<ItemResult> results = new ArrayList<>(chunk.size());
        List<? extends RestoreAction> actions = chunk.getItems();
        int start = 0;
        while (start < actions.size()) {
            int end = start;
            while (end < actions.size() && actions.get(end).type().equals(actions.get(start).type())) {
                end++;
            }
            List<Future<ItemResult>> futures = new ArrayList<>(end - start);
            for (RestoreAction action : actions.subList(start, end)) {
                futures.add(pool.submit(() -> apply(action)));
            }
            for (Future<ItemResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            start = end;
        }
        waitForCrds(chunk.getItems(), results);
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i).hooks() != null && madeByThisRestore(actions.get(i), results.get(i))) {
                hookTargets.add(actions.get(i).hooks());
            }
        }
        records.putBlob(parameters.name(), String.format("results/%06d.jsonl.gz", nextResult), ChunkCodec.encode(results), Map.of());
        nextResult++;
        for (ItemResult r : results) {
            counts.merge(r.outcome(), 1L, Long::sum);
            if ((r.outcome().equals(Outcome.FAILED) || r.outcome().equals(Outcome.SKIPPED) || r.outcome().equals(Outcome.FORBIDDEN))
                    && problems.size() < jobs.store.RestoreRecord.MAX_PROBLEMS) {
                problems.add(r);
            }
            progress.add(r.outcome(), 1);
        }
    }

    private ItemResult apply(RestoreAction action) {
        String resource = action.type().qualifiedName();
        if (action.outcome() != null) {
            return new ItemResult(resource, action.namespace(), action.name(), action.outcome(), action.reason());
        }
        try {
            if (parameters.dryRun()) {
                return plan(action);
            }
            if (action.volume() != null) {
                if (action.namespace() != null) {
                    ensureNamespace(action.namespace());
                }
                volumes.materialize(action.volume(), action.desired(), action.namespace());
            }
            return create(action);
        } catch (ClusterAccessException | SnapshotException e) {
            return result(action, Outcome.FAILED, e.getMessage());
        }
    }

    private ItemResult plan(RestoreAction action) {
        Optional<GenericKubernetesResource> existing = cluster.get(action.type(), action.namespace(), action.name());
        ItemResult planned;
        if (existing.isEmpty()) {
            planned = result(action, Outcome.WOULD_CREATE, action.reason());
        } else if (holds(existing.get(), action.desired())) {
            return result(action, Outcome.UNCHANGED, "already exists as backed up");
        } else if (parameters.policy() == ExistingResourcePolicy.UPDATE) {
            planned = result(action, Outcome.WOULD_UPDATE, "exists and differs; would be patched to the backed-up state");
        } else {
            return result(action, Outcome.SKIPPED, "already exists and differs (existing-resource-policy skip)");
        }
        List<Access> missing = permissions.missing(action, planned.outcome());
        return missing.isEmpty() ? planned : result(action, Outcome.FORBIDDEN, "missing permission: "
                + missing.stream().map(Access::toString).collect(Collectors.joining("; ")));
    }

    private ItemResult create(RestoreAction action) {
        GenericKubernetesResource desired = Json.mapper().convertValue(action.desired(), GenericKubernetesResource.class);
        try {
            try {
                cluster.create(action.type(), desired);
            } catch (ClusterAccessException e) {
                if (!e.isNotFound() || action.namespace() == null) {
                    throw e;
                }
                ensureNamespace(action.namespace());
                cluster.create(action.type(), desired);
            }
            return result(action, Outcome.CREATED, action.reason());
        } catch (ClusterAccessException e) {
            if (!e.isConflict()) {
                throw e;
            }
        }
        GenericKubernetesResource existing = cluster.get(action.type(), action.namespace(), action.name()).orElse(null);
        if (existing == null) {
            return result(action, Outcome.FAILED, "conflict on create, but the object cannot be read");
        }
        if (holds(existing, action.desired())) {
            return result(action, Outcome.UNCHANGED, "already exists as backed up");
        }
        if (parameters.policy() == ExistingResourcePolicy.SKIP) {
            return result(action, Outcome.SKIPPED, "already exists and differs (existing-resource-policy skip)");
        }
        cluster.mergePatch(action.type(), action.namespace(), action.name(), action.desired().toString());
        return result(action, Outcome.UPDATED, "patched to the backed-up state");
    }

    /**
     * Whether the object now in the cluster is this restore's: created or patched now, or found as backed up with this
     * restore's label (a relaunch finding what the killed run created). A pre-existing workload runs no restore hooks.
     */
    private boolean madeByThisRestore(RestoreAction action, ItemResult result) {
        if (parameters.dryRun()) {
            return false;
        }
        return switch (result.outcome()) {
            case Outcome.CREATED, Outcome.UPDATED -> true;
            case Outcome.UNCHANGED -> cluster.get(action.type(), action.namespace(), action.name())
                    .map(o -> parameters.name().equals(o.getMetadata().getLabels() == null ? null
                            : o.getMetadata().getLabels().get(RestoreProcessor.RESTORE_LABEL)))
                    .orElse(false);
            default -> false;
        };
    }

    /** Creates a namespace the backup did not hold (or that a mapping introduced), unless it exists by now. */
    private void ensureNamespace(String namespace) {
        try {
            cluster.create(KnownTypes.NAMESPACES, new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Namespace")
                    .withNewMetadata().withName(namespace).addToLabels(RestoreProcessor.BACKUP_LABEL, parameters.backup())
                    .addToLabels(RestoreProcessor.RESTORE_LABEL, parameters.name()).endMetadata().build());
        } catch (ClusterAccessException e) {
            if (!e.isConflict()) {
                throw e;
            }
        }
    }

    /** Compares ignoring what the server sets and what the restore adds itself. */
    private static boolean holds(GenericKubernetesResource existing, ObjectNode desired) {
        ObjectNode current = ObjectCleaner.clean(Json.mapper().valueToTree(existing));
        ObjectNode wanted = desired.deepCopy();
        ObjectNode labels = wanted.with("metadata").with("labels");
        labels.remove(RestoreProcessor.BACKUP_LABEL);
        labels.remove(RestoreProcessor.RESTORE_LABEL);
        if (labels.isEmpty()) {
            wanted.with("metadata").remove("labels");
        }
        return ObjectCleaner.holds(current, wanted);
    }

    /** Custom resources must not be applied before their CRD is served: wait for discovery to list it. */
    private void waitForCrds(List<? extends RestoreAction> actions, List<ItemResult> results) throws InterruptedException {
        if (parameters.dryRun()) {
            return;
        }
        List<String> created = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            RestoreAction a = actions.get(i);
            if (a.type().qualifiedName().equals("customresourcedefinitions.apiextensions.k8s.io")
                    && (results.get(i).outcome().equals(Outcome.CREATED) || results.get(i).outcome().equals(Outcome.UPDATED))) {
                created.add(a.name());
            }
        }
        if (created.isEmpty()) {
            return;
        }
        Instant deadline = clock.instant().plus(crdTimeout);
        while (true) {
            List<String> served = cluster.discover().types().stream().map(ResourceType::qualifiedName).toList();
            List<String> missing = created.stream().filter(c -> !served.contains(c)).collect(Collectors.toList());
            if (missing.isEmpty()) {
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ClusterAccessException("restored CRDs " + missing + " were not established within " + crdTimeout, 0, null);
            }
            Thread.sleep(200);
        }
    }

    private static ItemResult result(RestoreAction action, String outcome, String reason) {
        return new ItemResult(action.type().qualifiedName(), action.namespace(), action.name(), outcome, reason);
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(NEXT_RESULT, nextResult);
        try {
            context.putString(COUNTS, Json.mapper().writeValueAsString(counts));
            context.putString(PROBLEMS, Json.mapper().writeValueAsString(problems));
            context.putString(HOOK_TARGETS, Json.mapper().writeValueAsString(hookTargets));
            if (parameters.dryRun()) {
                Set<Access> denied = permissions.denied();
                List<Access> allowed = permissions.checked().stream().filter(a -> !denied.contains(a)).toList();
                context.putString(ACCESS, Json.mapper().writeValueAsString(new AccessAnswers(allowed, List.copyOf(denied))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        progress.finish();
    }

    private static List<ItemResult> readProblems(String json) throws IOException {
        return new ArrayList<>(Json.mapper().readValue(json, new TypeReference<List<ItemResult>>() { }));
    }
}
