package jobs.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.ContinueExpiredException;
import jobs.kube.ResourceType;
import jobs.store.Manifest.ItemError;
import jobs.store.Manifest.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads every object of the planned types, page by page, streamed: a lister thread reads the pages and hands each
 * object on as the server sends it, running ahead of the chunks by at most {@code readAheadBytes} bytes
 * ({@link ReadAhead}). Memory holds that much of the listing whatever the page size or the objects' sizes: a page of
 * 500 Helm release Secrets of 1 MB each is never held whole, and big objects wait off the heap
 * ({@link OffHeapParking}). While a chunk is stored, the next pages are already
 * being listed, so the API server and the store work at once.
 *
 * <p>Its position is the type, the token of the page being handed out and the key of the last object handed out;
 * the lister only runs ahead, the position is only ever what was handed out. When a continue token expires (410
 * Gone), a real API server offers a fresh token in the Status that continues after the same key (an inconsistent
 * continuation): the reader takes it, so a big type whose tokens keep expiring costs one extra call per expiry.
 * Without such a token, and after a restart, the API server lists in key order, so the reader lists again and skips
 * what it already handed out: nothing lost, nothing twice.
 *
 * <p>A type the account may not list (401/403), that has gone (404) or whose aggregated API is unavailable (503,
 * after the client's retries) is skipped: with an error when {@code --include-resources} names it (the backup then
 * ends PartiallyFailed naming it), else with a warning. Other failures fail the step, which resumes here.
 */
class ResourceReader implements ItemStreamReader<BackupItem>, ItemSource {

    private static final Logger log = LoggerFactory.getLogger(ResourceReader.class);
    static final String TYPE_INDEX = "reader.type";
    static final String PAGE_TOKEN = "reader.token";
    static final String LAST_KEY = "reader.lastKey";
    static final String RELISTS = "reader.relists";
    /** Expired tokens in a row with nothing new handed out: tokens expiring faster than pages can be read. */
    static final int MAX_FRUITLESS_RELISTS = 5;
    /** HTTP codes after which a type is skipped instead of failing the step: forbidden, gone, unavailable. */
    private static final Set<Integer> SKIPPED_CODES = Set.of(401, 403, 404, 503);
    /**
     * Objects asked for in the first page of a type, before their size is known: one, because an object may be
     * 1.5 MB (etcd's limit) and an HTTP client may buffer a whole answer. A probe of 16 Helm release Secrets was 22 MB
     * held at once, promoted to the old generation for the rest of the run.
     */
    static final int FIRST_PAGE = 1;

    private final Cluster cluster;
    private final BackupPlan plan;
    private final List<ResourceType> types;
    private final String labelSelector;
    private final int pageSize;
    private final long readAheadBytes;
    private final ReadAhead<Listed> readAhead;
    private final OffHeapParking parking;
    /** Bytes and objects listed so far per type, written by the lister: what sizes its pages. */
    private final AtomicLongArray seenBytes;
    private final AtomicLongArray seenObjects;
    private int fruitlessRelists;

    private int typeIndex;
    private String pageToken;
    private String lastKey;
    private long relists;
    private BackupHandoff.Problems problems = new BackupHandoff.Problems(new ArrayList<>(), new ArrayList<>());
    private Lister lister;

    /** What the lister hands over, in listing order. */
    private sealed interface Listed {
    }

    /**
     * An object of the page at {@code token} of type number {@code typeIndex}; the last one of its page carries the
     * token of the next page ({@code null} when the type ends there).
     */
    private record Item(int typeIndex, String token, OffHeapParking.Parked object, boolean last, String next) implements Listed {
    }

    /** A page without objects. */
    private record EmptyPage(int typeIndex, String token, String next) implements Listed {
    }

    /** The list of the page at {@code token} failed; the lister has stopped. */
    private record Failure(int typeIndex, String token, RuntimeException error) implements Listed {
    }

    ResourceReader(Cluster cluster, BackupPlan plan, String labelSelector, int pageSize, long readAheadBytes) {
        this.cluster = cluster;
        this.plan = plan;
        this.types = plan.types();
        this.labelSelector = labelSelector;
        this.pageSize = pageSize;
        this.readAheadBytes = readAheadBytes;
        this.readAhead = new ReadAhead<>(readAheadBytes);
        this.parking = new OffHeapParking(2 * readAheadBytes);
        this.seenBytes = new AtomicLongArray(types.size());
        this.seenObjects = new AtomicLongArray(types.size());
    }

    @Override
    public void open(ExecutionContext context) {
        typeIndex = context.getInt(TYPE_INDEX, 0);
        pageToken = context.containsKey(PAGE_TOKEN) ? context.getString(PAGE_TOKEN) : null;
        lastKey = context.containsKey(LAST_KEY) ? context.getString(LAST_KEY) : null;
        relists = context.getLong(RELISTS, 0L);
        problems = BackupHandoff.problems(context);
    }

    @Override
    public void close() {
        stopLister();
    }

    @Override
    public BackupItem read() {
        while (typeIndex < types.size()) {
            if (lister == null) {
                lister = new Lister(typeIndex, pageToken);
            }
            Listed next = take();
            if (next instanceof Item item) {
                boolean fresh = lastKey == null || item.object().listKey().compareTo(lastKey) > 0;
                ResourceType type = types.get(typeIndex);
                pageToken = item.token();
                if (fresh) {
                    lastKey = item.object().listKey();
                    fruitlessRelists = 0;
                }
                if (item.last()) {
                    // Move on at once, so a resumed run starts at the next page instead of listing this one again.
                    endOfPage(item.next());
                }
                if (fresh) {
                    return new BackupItem(type, parking.unpark(item.object()));
                }
            } else if (next instanceof EmptyPage empty) {
                endOfPage(empty.next());
            } else if (next instanceof Failure failure) {
                lister = null;
                failed(failure.error());
            }
        }
        return null;
    }

    /** True once every planned type has been read to its end. */
    @Override
    public boolean exhausted() {
        return typeIndex >= types.size();
    }

    private void endOfPage(String next) {
        if (next == null) {
            typeIndex++;
            pageToken = null;
            lastKey = null;
        } else {
            pageToken = next;
        }
    }

    /** Decides what a failed list means for the current type; the lister has stopped and starts again from here. */
    private void failed(RuntimeException error) {
        ResourceType type = types.get(typeIndex);
        if (error instanceof ContinueExpiredException expired) {
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
        } else if (error instanceof ClusterAccessException refused && SKIPPED_CODES.contains(refused.code())) {
            skip(type, refused.getMessage());
            endOfPage(null);
        } else {
            throw error;
        }
    }

    private void skip(ResourceType type, String cause) {
        if (plan.isNamed(type)) {
            log.warn("Could not list {}, which --include-resources names: {}", type, cause);
            problems.errors().add(new ItemError(type.qualifiedName(), null, null, cause));
        } else {
            log.warn("Skipping {}: {}", type, cause);
            problems.warnings().add(new Warning(type.qualifiedName(), cause));
        }
    }

    private Listed take() {
        try {
            return readAhead.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the list of " + types.get(typeIndex), e);
        }
    }

    private void stopLister() {
        if (lister != null) {
            lister.stop();
            lister = null;
        }
        readAhead.clear();
    }

    /** Only namespaced lists are narrowed on the server: cluster-scoped objects may be needed whatever their labels. */
    private String selector(ResourceType type) {
        return type.namespaced() ? labelSelector : "";
    }

    /**
     * How many objects to ask for in the next page of a type, so that one answer holds about half the read-ahead
     * budget: an HTTP client may buffer a whole answer however slowly it is parsed (the JDK's does), so a page's
     * bytes must be bounded where it is asked for. The first page of a type is a small probe of its objects' size;
     * what it learns lasts for the run, across relists.
     */
    private int pageLimit(int typeNumber) {
        long objects = seenObjects.get(typeNumber);
        if (objects == 0) {
            return Math.min(pageSize, FIRST_PAGE);
        }
        long perObject = Math.max(1, seenBytes.get(typeNumber) / objects);
        return (int) Math.max(1, Math.min(pageSize, readAheadBytes / 2 / perObject));
    }

    /**
     * Lists from a position to the end of the plan on a thread of its own, handing over objects through the
     * read-ahead queue. It holds back each object until the next is read, so the last one of a page can carry the
     * page's end. It stops at its first failure, which it hands over too.
     */
    private final class Lister implements Runnable {

        private final Thread thread;
        private volatile boolean stopped;
        private final int fromType;
        private final String fromToken;

        Lister(int fromType, String fromToken) {
            this.fromType = fromType;
            this.fromToken = fromToken;
            thread = new Thread(this, "kbackup-list");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            int index = fromType;
            String token = fromToken;
            try {
                while (index < types.size() && !stopped) {
                    ResourceType type = types.get(index);
                    String next;
                    OffHeapParking.Parked[] held = new OffHeapParking.Parked[1];
                    int typeNumber = index;
                    String pageAt = token;
                    try {
                        next = cluster.list(type, null, selector(type), pageLimit(typeNumber), token, object -> {
                            if (held[0] != null) {
                                hand(new Item(typeNumber, pageAt, held[0], false, null), held[0].length());
                            }
                            held[0] = parking.park(object);
                            seenBytes.addAndGet(typeNumber, object.json().length);
                            seenObjects.incrementAndGet(typeNumber);
                        });
                    } catch (RuntimeException e) {
                        if (held[0] != null) {
                            hand(new Item(typeNumber, pageAt, held[0], false, null), held[0].length());
                        }
                        hand(new Failure(index, token, e), 0);
                        return;
                    }
                    if (held[0] != null) {
                        hand(new Item(index, token, held[0], true, next), held[0].length());
                    } else {
                        hand(new EmptyPage(index, token, next), 0);
                    }
                    if (next == null) {
                        index++;
                        token = null;
                    } else {
                        token = next;
                    }
                }
            } catch (Stopped e) {
                // the reader moved on or closed
            }
        }

        private void hand(Listed listed, long bytes) {
            if (stopped) {
                throw new Stopped();
            }
            try {
                readAhead.put(listed, bytes);
            } catch (InterruptedException e) {
                throw new Stopped();
            }
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }
    }

    /** Unwinds a lister that was stopped while it waited to hand something over. */
    private static final class Stopped extends RuntimeException {

        Stopped() {
            super(null, null, false, false);
        }
    }

    @Override
    public void update(ExecutionContext context) {
        context.putInt(TYPE_INDEX, typeIndex);
        putOrRemove(context, PAGE_TOKEN, pageToken);
        putOrRemove(context, LAST_KEY, lastKey);
        context.putLong(RELISTS, relists);
        BackupHandoff.problems(context, problems);
    }

    private static void putOrRemove(ExecutionContext context, String key, String value) {
        if (value == null) {
            context.remove(key);
        } else {
            context.putString(key, value);
        }
    }
}
