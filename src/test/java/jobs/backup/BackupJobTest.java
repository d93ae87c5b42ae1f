package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupJobTest {

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void start() {
        api = ApiServer.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void backsUpConfigMaps() {
        api.create(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build());
        for (int i = 0; i < 7; i++) {
            api.create(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("shop").endMetadata()
                    .addToData("k", "v" + i).build());
        }
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=3", "--kbackup.backup.chunk-size=4");
        Kbackup.Result result = kbackup.run("backup", "--name", "first");
        System.out.println(result);
        assertThat(result.exitCode()).isZero();
        Kbackup.Result describe = kbackup.run("describe", "first", "-o", "json");
        System.out.println(describe);
    }
}
