package jobs.backup;

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
 * <p>The writer stores a chunk while the next one is read, so when Spring Batch commits a chunk its blob may still
 * be on its way. This stream owns the reader's, the filter's and the writer's state: after each chunk it takes a
 * snapshot of all three and commits the latest snapshot whose chunks are all stored, so the committed state is at
 * most one chunk behind. A run killed at any point resumes at a stored chunk and writes again, under the same
 * names, what might not have been; the manifest step drops any blob numbered past the last committed chunk.
 *
 * <p>When the reader is exhausted it waits for the last chunk, so the step only completes with everything stored.
 * When the step ends otherwise (failure, stop), {@link #afterStep} waits for the chunk in flight and, if it was
 * stored, saves the state that includes it, so a resumed run does not read that chunk again.
 */
class StoredCheckpoint implements ItemStream, StepExecutionListener {

    private final ResourceReader reader;
    private final BackupItemFilter filter;
    private final ChunkWriter writer;
    /** Every key a snapshot has held: a key a later snapshot lacks (a finished page token) is removed. */
    private final Set<String> keys = new HashSet<>();
    private ExecutionContext context;
    private ExecutionContext pending;

    StoredCheckpoint(ResourceReader reader, BackupItemFilter filter, ChunkWriter writer) {
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
        pending = null;
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
        int stored = writer.storedChunks();
        if (pending != null && chunks(pending) <= stored) {
            apply(pending);
            pending = null;
        }
        if (chunks(now) <= stored) {
            apply(now);
            pending = null;
        } else {
            pending = now;
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        if (pending != null) {
            try {
                writer.awaitStored();
            } catch (RuntimeException e) {
                return stepExecution.getExitStatus(); // not stored: the committed state, one chunk back, stays
            }
            if (chunks(pending) <= writer.storedChunks()) {
                apply(pending);
                pending = null;
            }
        }
        return stepExecution.getExitStatus();
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

    private static int chunks(ExecutionContext snapshot) {
        return snapshot.getInt(ChunkWriter.NEXT_CHUNK);
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
    }
}
