package jobs.backup;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition per selected volume, named {@code volume-<pv>} so that a restarted backup re-runs exactly the
 * partitions that did not finish. The worker reads the PV itself, so a PV that has gone is recorded, not lost.
 */
class VolumePartitioner implements Partitioner {

    static final String PV = "volume.pv";
    static final String NAMESPACE = "volume.namespace";
    static final String CLAIM = "volume.claim";

    private final Iterable<String> claims;

    /** @param claims {@code namespace/claim=pv} entries recorded by the resources step */
    VolumePartitioner(Iterable<String> claims) {
        this.claims = claims;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (String entry : claims) {
            int eq = entry.lastIndexOf('=');
            int slash = entry.indexOf('/');
            ExecutionContext context = new ExecutionContext();
            context.putString(NAMESPACE, entry.substring(0, slash));
            context.putString(CLAIM, entry.substring(slash + 1, eq));
            context.putString(PV, entry.substring(eq + 1));
            partitions.put("volume-" + entry.substring(eq + 1), context);
        }
        return partitions;
    }
}
