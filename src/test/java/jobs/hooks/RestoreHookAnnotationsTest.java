package jobs.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import jobs.support.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Restore hook annotations are read in Velero's names and defaults, and a bad value is named, never defaulted. */
class RestoreHookAnnotationsTest {

    private static RestoreHooks read(Map<String, String> annotations) {
        ObjectNode metadata = Json.mapper().createObjectNode();
        annotations.forEach(metadata.with("annotations")::put);
        return RestoreHooks.of(metadata, "pod shop/db-0");
    }

    @Test
    void velerosDefaultsExceptThatTheWaitEnds() {
        RestoreHooks hooks = read(Map.of("post.hook.restore.velero.io/command", "[\"reindex\"]"));

        assertThat(hooks.invalid()).isEmpty();
        RestoreExecHook hook = hooks.exec().get(0);
        assertThat(hook.exec().onError()).isEqualTo(OnError.CONTINUE);
        assertThat(hook.exec().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hook.waitTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(hook.waitForReady()).isFalse();
        assertThat(hook.exec().container()).isNull();
    }

    @Test
    void velerosAndKbackupsPrefixesBothCountVelerosFirst() {
        RestoreHooks hooks = read(Map.of("post.hook.restore.kbackup.io/command", "second",
                "post.hook.restore.velero.io/command", "first", "post.hook.restore.velero.io/exec-timeout", "1m30s",
                "init.hook.restore.kbackup.io/container-image", "busybox"));

        assertThat(hooks.exec()).extracting(h -> h.exec().command().get(0)).containsExactly("first", "second");
        assertThat(hooks.exec().get(0).exec().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(hooks.init()).singleElement().satisfies(i -> assertThat(i.describe()).isEqualTo("init container restore-hook (busybox)"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            post.hook.restore.velero.io/wait-for-ready | yes   | pod shop/db-0: annotation post.hook.restore.velero.io/wait-for-ready='yes' is not true or false
            post.hook.restore.velero.io/wait-timeout   | 0     | pod shop/db-0: annotation post.hook.restore.velero.io/wait-timeout='0' must be positive (kbackup never waits forever)
            post.hook.restore.velero.io/exec-timeout   | 30    | pod shop/db-0: annotation post.hook.restore.velero.io/exec-timeout='30' is not a duration with a unit (30s, 2m, 1m30s)
            post.hook.restore.velero.io/on-error       | fail  | pod shop/db-0: annotation post.hook.restore.velero.io/on-error='fail' is not Fail or Continue
            post.hook.restore.velero.io/command        | [1]   | pod shop/db-0: annotation post.hook.restore.velero.io/command='[1]' is not a JSON array of strings
            init.hook.restore.velero.io/container-name | seed  | pod shop/db-0: annotation init.hook.restore.velero.io/container-image is missing
            init.hook.restore.velero.io/timeout        | 5     | pod shop/db-0: annotation init.hook.restore.velero.io/container-image is missing
            """)
    void aBadValueIsNamed(String annotation, String value, String message) {
        Map<String, String> annotations = new java.util.HashMap<>(Map.of(annotation, value));
        if (annotation.startsWith("post.") && !annotation.endsWith("/command")) {
            annotations.put("post.hook.restore.velero.io/command", "reindex");
        }

        RestoreHooks hooks = read(annotations);

        assertThat(hooks.invalid()).containsExactly(message);
        assertThat(hooks.exec()).isEmpty();
        assertThat(hooks.init()).isEmpty();
    }
}
