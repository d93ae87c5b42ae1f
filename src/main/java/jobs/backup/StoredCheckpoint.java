package jobs.backup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;

/**
 * The restart state of the resources step, which never claims more than is stored.
 *
 * <p>The writer stores packs while the next are filled, so when Spring Batch commits, the commit's packs may
 * still be on their way. This stream owns the reader's, the filter's and the writer's state: after each commit it takes a
 * snapshot of all three and commits the latest snapshot whose packs are all stored, so the committed state trails
 * by at most the packs in flight. A run killed at any point resumes at a stored pack and writes again, under the
 * same names, what might not have been; a pack a crashed run stored past its last commit is referred to by no manifest, and the next purge sweeps it.
 *
 * <p>When the reader is exhausted it waits for the last packs, so the step only completes with everything stored.
 * When the step ends otherwise (failure, stop), {@link #afterStep} lets the packs in flight finish and saves the
 * latest state they make true, so a resumed run does not read those packs again.
 */
class StoredCheckpoint implements ItemStream, StepExecutionListener {

    private final ItemSource reader;
    private final ItemFilter filter;
    private final PackWriter writer;
    /** Every key a snapshot has held: a key a later snapshot lacks (a finished page token) is removed. */
    private final Set<String> keys = new HashSet<>();
    private ExecutionContext context;
    /** Snapshots not committed yet because some of their packs are in flight, oldest first. */
    private final Deque<ExecutionContext> pending = new ArrayDeque<>();

    StoredCheckpoint(ItemSource reader, ItemFilter filter, PackWriter writer) {
        this.reader = reader;
        this.filter = filter;
        this.writer = writer;
    }

    @Override
    public void open(ExecutionContext executionContext) {
        reader.open(executionContext);
        filter.open(executionContext);
        writer.open(executionContext);
        context = executionContext;
        pending.clear();
    }

    @Override
    public void update(ExecutionContext executionContext) {
        context = executionContext;
        ExecutionContext now = new ExecutionContext();
        reader.update(now);
        filter.update(now);
        writer.update(now);
        if (reader.exhausted()) {
            writer.awaitStored();
        }
        if (!pending.isEmpty() && parts(pending.peekLast()) == parts(now)) {
            pending.removeLast(); // the newer snapshot needs the same packs and has read further
        }
        pending.addLast(now);
        commitStored();
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        if (!pending.isEmpty()) {
            writer.settle();
            commitStored();
        }
        return stepExecution.getExitStatus();
    }

    /** Puts the latest snapshot whose packs are all stored into the step's context, to be committed with it. */
    private void commitStored() {
        int stored = writer.storedParts();
        ExecutionContext durable = null;
        while (!pending.isEmpty() && parts(pending.peekFirst()) <= stored) {
            durable = pending.removeFirst();
        }
        if (durable != null) {
            apply(durable);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } finally {
            filter.close();
            reader.close();
        }
    }

    private static int parts(ExecutionContext snapshot) {
        return snapshot.getInt(PackWriter.NEXT_PART);
    }

    private void apply(ExecutionContext snapshot) {
        keys.addAll(snapshot.toMap().keySet());
        for (String key : keys) {
            if (!snapshot.containsKey(key)) {
                context.remove(key);
            }
        }
        for (Map.Entry<String, Object> entry : snapshot.entrySet()) {
            context.put(entry.getKey(), entry.getValue());
        }
        writer.saveStored(context, parts(snapshot));
    }
}
