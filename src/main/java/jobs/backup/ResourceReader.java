package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.ContinueExpiredException;
import jobs.kube.ListedObject;
import jobs.kube.ObjectPage;
import jobs.kube.ResourceType;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.Warning;
import jobs.support.Futures;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads every object of the planned types, one page at a time, so memory holds one page whatever the cluster size.
 *
 * <p>Its position is the type, the token of the page being read and the key of the last object handed out. When
 * a continue token expires (410 Gone), a real API server offers a fresh token in the Status that continues after the
 * same key (an inconsistent continuation): the reader takes it, so a big type whose tokens keep expiring costs one
 * extra call per expiry. Without such a token, and after a restart, the API server lists in key order, so the
 * reader lists again and skips what it already handed out: nothing lost, nothing twice.
 *
 * <p>A type the account may not list (401/403), that has gone (404) or whose aggregated API is unavailable (503,
 * after the client's retries) is skipped: with an error when {@code --include-resources} names it (the backup then
 * ends PartiallyFailed naming it), else with a warning. Other failures fail the step, which resumes here.
 *
 * <p>While a chunk is written, the next page is already being listed on a thread of its own, so the API server
 * and the store work at the same time; memory holds two pages at most. The prefetch is only a head start: the
 * restart state still names the page being handed out, and a prefetched failure surfaces exactly where the
 * synchronous list would have failed.
 */
class ResourceReader implements ItemStreamReader<BackupItem> {

    private static final Logger log = LoggerFactory.getLogger(ResourceReader.class);
    static final String TYPE_INDEX = "reader.type";
    static final String PAGE_TOKEN = "reader.token";
    static final String LAST_KEY = "reader.lastKey";
    static final String ERRORS = "reader.errors";
    static final String WARNINGS = "reader.warnings";
    static final String RELISTS = "reader.relists";

    private final Cluster cluster;
    private final BackupPlan plan;
    private final List<ResourceType> types;
    private final String labelSelector;
    private final int pageSize;
    /** Expired tokens in a row with nothing new handed out: tokens expiring faster than pages can be read. */
    private int fruitlessRelists;
    static final int MAX_FRUITLESS_RELISTS = 5;
    /** HTTP codes after which a type is skipped instead of failing the step: forbidden, gone, unavailable. */
    private static final Set<Integer> SKIPPED_CODES = java.util.Set.of(401, 403, 404, 503);

    private int typeIndex;
    private String pageToken;
    private String lastKey;
    private long relists;
    private List<ItemError> errors = new ArrayList<>();
    private List<Warning> warnings = new ArrayList<>();
    private ObjectPage page;
    private int position;
    private ExecutorService prefetcher;
    private Prefetch prefetched;

    /** A list started ahead of time for the page at {@code token} of type number {@code typeIndex}. */
    private record Prefetch(int typeIndex, String token, Future<ObjectPage> page) {
    }

    ResourceReader(Cluster cluster, BackupPlan plan, String labelSelector, int pageSize) {
        this.cluster = cluster;
        this.plan = plan;
        this.types = plan.types();
        this.labelSelector = labelSelector;
        this.pageSize = pageSize;
    }

    @Override
    public void open(ExecutionContext context) {
        typeIndex = context.getInt(TYPE_INDEX, 0);
        pageToken = context.containsKey(PAGE_TOKEN) ? context.getString(PAGE_TOKEN) : null;
        lastKey = context.containsKey(LAST_KEY) ? context.getString(LAST_KEY) : null;
        relists = context.getLong(RELISTS, 0L);
        errors = context.containsKey(ERRORS) ? readErrors(context.getString(ERRORS)) : new ArrayList<>();
        warnings = context.containsKey(WARNINGS) ? readWarnings(context.getString(WARNINGS)) : new ArrayList<>();
        page = null;
        prefetcher = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "kbackup-list-prefetch");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void close() {
        if (prefetched != null) {
            prefetched.page().cancel(true);
            prefetched = null;
        }
        if (prefetcher != null) {
            prefetcher.shutdownNow();
        }
    }

    @Override
    public BackupItem read() {
        while (typeIndex < types.size()) {
            ResourceType type = types.get(typeIndex);
            if (page == null && !fetch(type)) {
                nextType();
                continue;
            }
            if (position < page.items().size()) {
                ListedObject object = page.items().get(position++);
                lastKey = object.listKey();
                fruitlessRelists = 0;
                if (position == page.items().size()) {
                    // Move on at once, so a resumed run starts at the next page instead of fetching this one again.
                    advance();
                }
                return new BackupItem(type, object);
            }
            advance();
        }
        return null;
    }

    /** True once every planned type has been read to its end. */
    boolean exhausted() {
        return typeIndex >= types.size();
    }

    private void advance() {
        if (page.isLast()) {
            nextType();
        } else {
            pageToken = page.continueToken();
            page = null;
        }
    }

    private void nextType() {
        typeIndex++;
        pageToken = null;
        lastKey = null;
        page = null;
    }

    /** Fetches the page at {@link #pageToken}; false when the type must be skipped. */
    private boolean fetch(ResourceType type) {
        try {
            page = null;
            while (page == null) {
                page = listOrExpire(type);
            }
        } catch (ClusterAccessException e) {
            if (SKIPPED_CODES.contains(e.code())) {
                skip(type, e.getMessage());
                return false;
            }
            throw e;
        }
        position = 0;
        prefetchNext();
        if (lastKey != null) {
            // Resuming inside this page, or after a relist: skip what was already handed out.
            while (position < page.items().size() && page.items().get(position).listKey().compareTo(lastKey) <= 0) {
                position++;
            }
        }
        return true;
    }

    /**
     * The page at {@link #pageToken}, or null when its token expired: {@link #pageToken} then stands for the same
     * place, as the server's new token or, without one, the start of the type.
     */
    private ObjectPage listOrExpire(ResourceType type) {
        ContinueExpiredException expired;
        try {
            return list(type, pageToken);
        } catch (ContinueExpiredException e) {
            expired = e;
        }
        if (++fruitlessRelists > MAX_FRUITLESS_RELISTS) {
            throw new ClusterAccessException("list " + type + ": continue tokens expired " + fruitlessRelists
                    + " times in a row before the list could get past '" + lastKey + "'", 410, expired);
        }
        relists++;
        if (expired.continueToken() != null) {
            log.info("Continue token for {} expired; continuing after '{}' with the server's new token", type, lastKey);
            pageToken = expired.continueToken();
        } else {
            log.info("Continue token for {} expired; listing again after '{}'", type, lastKey);
            pageToken = null;
        }
        return null;
    }

    private void skip(ResourceType type, String cause) {
        if (plan.isNamed(type)) {
            log.warn("Could not list {}, which --include-resources names: {}", type, cause);
            errors.add(new ItemError(type.qualifiedName(), null, null, cause));
        } else {
            log.warn("Skipping {}: {}", type, cause);
            warnings.add(new Warning(type.qualifiedName(), cause));
        }
    }

    /** Only namespaced lists are narrowed on the server: cluster-scoped objects may be needed whatever their labels. */
    private String selector(ResourceType type) {
        return type.namespaced() ? labelSelector : "";
    }

    /** The page at {@code token} of the current type: the prefetched one when it is that page, else listed now. */
    private ObjectPage list(ResourceType type, String token) {
        Prefetch ahead = prefetched;
        prefetched = null;
        if (ahead != null && ahead.typeIndex() == typeIndex && Objects.equals(ahead.token(), token)) {
            return Futures.await(ahead.page(), "listing " + type);
        }
        if (ahead != null) {
            ahead.page().cancel(true);
        }
        return cluster.list(type, null, selector(type), pageSize, token);
    }

    /** Starts listing the page that follows the current one: its next page, or the first of the next type. */
    private void prefetchNext() {
        int nextType = page.isLast() ? typeIndex + 1 : typeIndex;
        String token = page.isLast() ? null : page.continueToken();
        if (nextType < types.size()) {
            ResourceType type = types.get(nextType);
            prefetched = new Prefetch(nextType, token,
                    prefetcher.submit(() -> cluster.list(type, null, selector(type), pageSize, token)));
        }
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(TYPE_INDEX, typeIndex);
        putOrRemove(context, PAGE_TOKEN, pageToken);
        putOrRemove(context, LAST_KEY, lastKey);
        context.putLong(RELISTS, relists);
        try {
            context.putString(ERRORS, Json.mapper().writeValueAsString(errors));
            context.putString(WARNINGS, Json.mapper().writeValueAsString(warnings));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putOrRemove(ExecutionContext context, String key, String value) {
        if (value == null) {
            context.remove(key);
        } else {
            context.putString(key, value);
        }
    }

    static List<Warning> readWarnings(String json) {
        try {
            return new ArrayList<>(Json.mapper().readValue(json, new TypeReference<List<Warning>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ItemError> readErrors(String json) {
        try {
            return new ArrayList<>(Json.mapper().readValue(json, new TypeReference<List<ItemError>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
