package jobs.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
import jobs.support.Futures;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads every object of the planned types, one page at a time, so memory holds one page whatever the cluster size.
 *
 * <p>Its position is the type, the token of the page being read and the key of the last object handed out. The
 * API server lists in key order, so after a restart, or after a 410 for an expired continue token, the reader
 * lists again and skips what it already handed out: nothing lost, nothing twice.
 *
 * <p>A type the account may not list (401/403) or that has gone (404) is recorded as an item error and skipped;
 * the backup then ends PartiallyFailed instead of failing whole. Other failures fail the step, which resumes here.
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
    static final String RELISTS = "reader.relists";

    private final Cluster cluster;
    private final List<ResourceType> types;
    private final String labelSelector;
    private final int pageSize;
    /** Relists in a row that handed out nothing new: tokens expiring faster than pages can be read. */
    private int fruitlessRelists;
    static final int MAX_FRUITLESS_RELISTS = 5;

    private int typeIndex;
    private String pageToken;
    private String lastKey;
    private long relists;
    private List<ItemError> errors = new ArrayList<>();
    private ObjectPage page;
    private int position;
    private ExecutorService prefetcher;
    private Prefetch prefetched;

    /** A list started ahead of time for the page at {@code token} of type number {@code typeIndex}. */
    private record Prefetch(int typeIndex, String token, Future<ObjectPage> page) {
    }

    ResourceReader(Cluster cluster, BackupPlan plan, String labelSelector, int pageSize) {
        this.cluster = cluster;
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
        String selector = selector(type);
        try {
            try {
                page = list(type, pageToken);
            } catch (ContinueExpiredException e) {
                if (++fruitlessRelists > MAX_FRUITLESS_RELISTS) {
                    throw new ClusterAccessException("list " + type + ": continue tokens expired " + fruitlessRelists
                            + " times in a row before the list could get past '" + lastKey + "'", 410, e);
                }
                relists++;
                log.info("Continue token for {} expired; listing again after '{}'", type, lastKey);
                pageToken = null;
                page = cluster.list(type, null, selector, pageSize, null);
            }
        } catch (ClusterAccessException e) {
            if (e.isForbidden() || e.isNotFound()) {
                log.warn("Skipping {}: {}", type, e.getMessage());
                errors.add(new ItemError(type.qualifiedName(), null, null, e.getMessage()));
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

    static List<ItemError> readErrors(String json) {
        try {
            return new ArrayList<>(Json.mapper().readValue(json, new TypeReference<List<ItemError>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
