package jobs.restore;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jobs.store.ReaderMarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/**
 * Keeps the mark saying this restore reads its restore point, so a purge leaves that restore point alone: set
 * before the job (the launcher's preflight set it first), renewed at a third of its lifetime while the job runs,
 * removed when the job ends. A restore killed outright leaves a mark that expires within its lifetime.
 */
final class ReadMarkListener implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(ReadMarkListener.class);

    private final ReaderMarks marks;
    private final Duration lifetime;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "restore-read-mark");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();

    ReadMarkListener(ReaderMarks marks, Duration lifetime) {
        this.marks = marks;
        this.lifetime = lifetime;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        RestoreParameters p = RestoreParameters.of(execution.getJobParameters());
        marks.mark(p.backup(), p.name(), lifetime);
        long period = Math.max(1, lifetime.toMillis() / 3);
        renewals.put(execution.getId(), renewer.scheduleAtFixedRate(() -> {
            try {
                marks.mark(p.backup(), p.name(), lifetime);
            } catch (RuntimeException e) {
                log.warn("Could not renew the mark that restore {} reads {}: {}", p.name(), p.backup(), e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS));
    }

    @Override
    public void afterJob(JobExecution execution) {
        ScheduledFuture<?> renewal = renewals.remove(execution.getId());
        if (renewal != null) {
            renewal.cancel(false);
        }
        RestoreParameters p = RestoreParameters.of(execution.getJobParameters());
        try {
            marks.release(p.backup(), p.name());
        } catch (RuntimeException e) {
            log.warn("Could not remove the mark that restore {} reads {} (it expires by itself): {}", p.name(), p.backup(),
                    e.getMessage());
        }
    }
}
