package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jobs.store.Manifest;
import jobs.store.Phase;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A big type whose continue tokens keep expiring, as on a busy real cluster (etcd compacts every 5 minutes): the
 * backup must continue with the token the 410 offers, at one extra call per expiry, instead of relisting from the
 * start each time, which costs calls quadratic in the number of pages.
 */
class ExpiringTokensTest {

    static final int OBJECTS = 100_000;
    static final int PAGE = 500;

    @TempDir
    Path dir;
    ApiServer api;

    @BeforeEach
    void cluster() {
        api = ApiServer.startIndexed();
        api.create(new NamespaceBuilder().withNewMetadata().withName("big").endMetadata().build());
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> configMaps = new ArrayList<>(OBJECTS);
        for (int i = 0; i < OBJECTS; i++) {
            ObjectNode cm = json.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", String.format("cm-%06d", i)).put("namespace", "big");
            cm.putObject("data").put("n", Integer.toString(i));
            configMaps.add(cm);
        }
        api.load("v1", "configmaps", "big", configMaps);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aTokenExpiringEveryThreePagesCostsOneCallPerExpiryNotARelist() {
        api.expireEveryNthContinue(3);
        Kbackup kbackup = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=" + PAGE);

        Kbackup.Result result = kbackup.run("backup", "--name", "busy", "--include-resources", "configmaps");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        RestorePoints stored = Stored.filesystem(dir);
        Manifest manifest = Stored.manifest(stored, "busy");
        assertThat(manifest.phase()).isEqualTo(Phase.Completed);
        assertThat(manifest.itemCount()).isEqualTo(OBJECTS + 1);
        List<String> keys = Stored.keys(stored, "busy");
        assertThat(keys).doesNotHaveDuplicates().hasSize(OBJECTS + 1);

        // A probe of the objects' size, then pages of 500.
        int pages = 1 + (OBJECTS - ResourceReader.FIRST_PAGE + PAGE - 1) / PAGE;
        int expiries = api.expiredContinues();
        // Every third request with a token expired: about half as many 410s as pages.
        assertThat(expiries).isBetween(pages / 3, pages);
        assertThat(api.listCalls("/configmaps")).isEqualTo(pages + expiries);
    }
}
