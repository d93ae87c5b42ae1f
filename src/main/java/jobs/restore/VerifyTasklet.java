package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jobs.filter.ObjectSelector;
import jobs.kube.ResourceType;
import jobs.store.ChunkCodec;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * First step: reads every chunk of the restore point and checks it against the SHA-256 its manifest records, so
 * a damaged restore point is refused, naming the blob, before anything is written to the cluster. On the same
 * pass it notes what the selected objects need among cluster-scoped ones (PVs of claims, CRDs of custom
 * resources), since those are restored first.
 */
class VerifyTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(VerifyTasklet.class);

    private final RestorePoints restorePoints;
    private final Manifest manifest;
    private final RestoreParameters parameters;

    VerifyTasklet(RestorePoints restorePoints, Manifest manifest, RestoreParameters parameters) {
        this.restorePoints = restorePoints;
        this.manifest = manifest;
        this.parameters = parameters;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        Map<String, ResourceType> types = new HashMap<>();
        RestorePlan.storedTypes(manifest).forEach(t -> types.put(t.kind() + "." + t.group(), t));
        ObjectSelector selector = new ObjectSelector(parameters.selection(), RestorePlan.storedTypes(manifest));
        Set<String> needed = new TreeSet<>();
        long objects = 0;
        for (Manifest.ChunkRef chunk : manifest.chunks()) {
            try (ChunkCodec.Objects all = restorePoints.objects(manifest.name(), chunk)) {
                while (all.hasNext()) {
                    JsonNode o = all.next();
                    objects++;
                    ResourceType type = types.get(o.path("kind").asText() + "." + RestoreReader.group(o.path("apiVersion").asText()));
                    JsonNode meta = o.path("metadata");
                    if (type == null || !type.namespaced()) {
                        continue;
                    }
                    Map<String, String> labels = new HashMap<>();
                    meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                    if (selector.selectsNamespaced(meta.path("namespace").asText(), labels)) {
                        needed.addAll(ObjectSelector.needs(type, o.path("spec").path("volumeName").asText(null)));
                    }
                }
            }
        }
        if (objects != manifest.itemCount()) {
            throw new jobs.store.DamagedRestorePointException(manifest.name(), "manifest.json",
                    "lists " + manifest.itemCount() + " objects but its packs hold " + objects);
        }
        RestoreHandoff.needed(chunkContext.getStepContext().getStepExecution().getJobExecution(), needed);
        log.info("Restore point {} verified: {} packs, {} objects", manifest.name(), manifest.chunks().size(), objects);
        return RepeatStatus.FINISHED;
    }
}
