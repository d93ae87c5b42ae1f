package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import jobs.store.RestorePoints;
import jobs.testing.ApiServer;
import jobs.testing.Corpus;
import jobs.testing.Kbackup;
import jobs.testing.Stored;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real manifests from kubernetes/examples, backed up and compared object by object with what the server holds. */
class CorpusBackupTest {

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
    void everyObjectIsStoredExactlyAsTheServerHasIt() throws Exception {
        List<HasMetadata> created = Corpus.load(api);
        assertThat(created).hasSizeGreaterThan(100);
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> expected = created.stream().collect(Collectors.toMap(
                o -> o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                        + o.getMetadata().getName(),
                o -> reparse(json, o)));

        Kbackup.Result result = Kbackup.filesystem(dir, api).with("--kbackup.kube.page-size=7", "--kbackup.backup.pack-objects=16")
                .run("backup", "--name", "corpus");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        RestorePoints stored = Stored.filesystem(dir);
        Map<String, JsonNode> actual = Stored.objects(stored, "corpus").stream()
                .collect(Collectors.toMap(Stored::key, Function.identity()));
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, object) -> assertThat(actual.get(key)).as(key).isEqualTo(object));
    }

    private static JsonNode reparse(ObjectMapper json, Object o) {
        try {
            return json.readTree(json.writeValueAsString(o));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
