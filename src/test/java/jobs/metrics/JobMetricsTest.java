package jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobMetricsTest {

    @TempDir
    Path dir;

    @Test
    void aRunLeavesItsMetricsInPrometheusFormat() throws Exception {
        try (ApiServer api = ApiServer.start()) {
            api.create(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build());
            for (int i = 0; i < 30; i++) {
                api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("app").endMetadata().build());
            }
            Path metrics = dir.resolve("textfile/kbackup.prom");

            Kbackup.Result result = Kbackup.filesystem(dir, api).with("--kbackup.metrics.file=" + metrics).run("backup", "--name", "m");

            assertThat(result.exitCode()).as(result.toString()).isZero();
            String text = Files.readString(metrics);
            assertThat(text).contains("# TYPE kbackup_job_duration_seconds summary")
                    .contains("kbackup_job_duration_seconds_count{job=\"backup\",status=\"COMPLETED\"} 1")
                    .contains("kbackup_step_items_written_total{job=\"backup\",step=\"resources\"} 31.0")
                    .contains("kbackup_job_last_success_timestamp{job=\"backup\"}");
        }
    }
}
