package jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.store.Phase;
import jobs.testing.ApiServer;
import jobs.testing.Azurite;
import jobs.testing.FixtureCluster;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run is in the record of runs: a launch that fails before its job starts, because the API server or the
 * storage cannot be reached, is a FAILED execution with its cause, shown by {@code report} and retried by
 * {@code restart ID} once the cause is gone. Bad input, by contrast, writes nothing ({@code BadInputTest}).
 */
class RunRecordTest {

    private static final Pattern RECORDED = Pattern.compile("recorded as backup execution (\\d+); 'restart \\1' retries it");

    @TempDir
    Path dir;
    @RegisterExtension
    final FixtureCluster cluster = new FixtureCluster();
    ApiServer api;

    @BeforeEach
    void useCluster() {
        api = cluster.api();
    }

    @AfterEach
    void storageBack() {
        Azurite.shared().start();
    }

    private static long recordedId(Kbackup.Result result) {
        Matcher m = RECORDED.matcher(result.err());
        assertThat(m.find()).as(result.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static JsonNode executions(Kbackup kbackup) throws IOException {
        Kbackup.Result report = kbackup.run("report", "--job", "backup", "--output", "json");
        assertThat(report.exitCode()).as(report.toString()).isZero();
        return new ObjectMapper().readTree(report.out()).path("executions");
    }

    @Test
    void aBackupThatCannotReachTheApiServerIsRecordedAndRestartedByIdOnceItCan() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Kbackup reachable = Kbackup.filesystem(dir, api);
        Path kubeconfig = dir.resolve("unreachable");
        Files.writeString(kubeconfig, Files.readString(dir.resolve("kubeconfig")).replace(api.url(), "http://127.0.0.1:" + closedPort));
        Kbackup unreachable = reachable.with("--kbackup.kube.kubeconfig=" + kubeconfig, "--kbackup.kube.request-retries=0");

        Kbackup.Result failed = unreachable.run("backup", "--name", "nightly");

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.err().strip().lines()).singleElement().asString()
                .startsWith("kbackup: failed: discover API resources failed: cannot reach the API server at http://127.0.0.1:"
                        + closedPort + "/ (ClosedChannelException)");
        long id = recordedId(failed);
        assertThat(Stored.filesystem(dir).find("nightly")).as("no restore point before the job starts").isEmpty();

        JsonNode recorded = executions(reachable).get(0);
        assertThat(recorded.path("id").asLong()).isEqualTo(id);
        assertThat(recorded.path("status").asText()).isEqualTo("FAILED");
        assertThat(recorded.path("parameters").asText()).contains("name=nightly");
        assertThat(recorded.path("exitDescription").asText())
                .startsWith("failed before the job started: discover API resources failed: cannot reach the API server");

        Kbackup.Result restarted = reachable.run("restart", Long.toString(id));

        assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
        assertThat(restarted.out()).contains("(restart of " + id + "): COMPLETED");
        assertThat(Stored.manifest(Stored.filesystem(dir), "nightly").phase()).isEqualTo(Phase.Completed);
        // The same name launched again is that run, and it is done.
        assertThat(reachable.run("backup", "--name", "nightly").exitCode()).isEqualTo(2);
    }

    @Test
    void aBackupThatCannotReachStorageIsRecordedAndResumedByNameOnceItCan() throws IOException {
        String container = "unreachable-" + UUID.randomUUID().toString().substring(0, 8);
        Kbackup kbackup = Kbackup.azure(dir, api, container);
        Azurite.shared().stop();

        Kbackup.Result failed = kbackup.run("backup", "--name", "nightly");

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.err()).contains("Azure Blob container '" + container + "'");
        long id = recordedId(failed);
        Kbackup.Result report = kbackup.run("report", "--job", "backup", "--status", "FAILED");
        assertThat(report.out()).as(report.toString()).contains(Long.toString(id)).contains("failed before the job started");

        Azurite.shared().start();
        Kbackup.Result resumed = kbackup.run("backup", "--name", "nightly");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(Stored.manifest(Stored.azure(container), "nightly").phase()).isEqualTo(Phase.Completed);
        JsonNode executions = executions(kbackup);
        assertThat(executions).extracting(e -> e.path("id").asLong() + " " + e.path("status").asText())
                .containsExactly(id + " FAILED", (id + 1) + " COMPLETED");
    }
}
