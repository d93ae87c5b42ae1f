package jobs.velero;

import java.util.List;
import jobs.store.Manifest.VolumeRecord;
import jobs.store.RestorePoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Records the backup's volumes from Velero's volume files ({@link VeleroVolumes}); run again, it writes the same. */
class ImportVolumesTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(ImportVolumesTasklet.class);

    private final VeleroFiles files;
    private final RestorePoints restorePoints;
    private final String name;
    private final ItemsRead read;

    ImportVolumesTasklet(VeleroFiles files, RestorePoints restorePoints, String name, ItemsRead read) {
        this.files = files;
        this.restorePoints = restorePoints;
        this.name = name;
        this.read = read;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        List<VolumeRecord> volumes = VeleroVolumes.of(read.volumes(), files);
        for (VolumeRecord volume : volumes) {
            restorePoints.saveVolume(name, volume);
            contribution.incrementWriteCount(1);
        }
        log.info("Import {}: {} volumes, {} with a snapshot kbackup can restore", name, volumes.size(),
                volumes.stream().filter(VolumeRecord::isCompleted).count());
        return RepeatStatus.FINISHED;
    }
}
