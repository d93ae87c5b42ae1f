package jobs.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jobs.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backup hook annotations, Velero's and kbackup's, read as Velero documents them; bad values are never defaulted. */
class PodHooksTest {

    static Stream<Arguments> annotations() {
        return Stream.of(
                Arguments.of("Velero's pre hook with every key",
                        Map.of("pre.hook.backup.velero.io/container", "db", "pre.hook.backup.velero.io/command",
                                "[\"/sbin/fsfreeze\", \"--freeze\", \"/var/lib/postgresql\"]",
                                "pre.hook.backup.velero.io/on-error", "Continue", "pre.hook.backup.velero.io/timeout", "1m30s"),
                        List.of(new ExecHook("db", List.of("/sbin/fsfreeze", "--freeze", "/var/lib/postgresql"), OnError.CONTINUE,
                                Duration.ofSeconds(90), "annotation pre.hook.backup.velero.io/")), List.of(), List.of()),
                Arguments.of("the unprefixed Velero hook is a pre hook, with Fail and 30 s by default",
                        Map.of("hook.backup.velero.io/command", "[\"sync\"]"),
                        List.of(new ExecHook(null, List.of("sync"), OnError.FAIL, Duration.ofSeconds(30), "annotation hook.backup.velero.io/")),
                        List.of(), List.of()),
                Arguments.of("a plain string is a program without arguments",
                        Map.of("post.hook.backup.velero.io/command", "/thaw.sh"),
                        List.of(), List.of(new ExecHook(null, List.of("/thaw.sh"), OnError.FAIL, Duration.ofSeconds(30),
                                "annotation post.hook.backup.velero.io/")), List.of()),
                Arguments.of("kbackup's keys beside Velero's: both run, Velero's first",
                        Map.of("pre.hook.backup.velero.io/command", "[\"a\"]", "pre.hook.backup.kbackup.io/command", "[\"b\"]",
                                "post.hook.backup.kbackup.io/command", "[\"c\"]", "post.hook.backup.kbackup.io/timeout", "500ms"),
                        List.of(new ExecHook(null, List.of("a"), null, null, "annotation pre.hook.backup.velero.io/"),
                                new ExecHook(null, List.of("b"), null, null, "annotation pre.hook.backup.kbackup.io/")),
                        List.of(new ExecHook(null, List.of("c"), null, Duration.ofMillis(500), "annotation post.hook.backup.kbackup.io/")),
                        List.of()),
                Arguments.of("a timeout without a unit is refused, not read as seconds",
                        Map.of("pre.hook.backup.velero.io/command", "[\"a\"]", "pre.hook.backup.velero.io/timeout", "300"),
                        List.of(), List.of(), List.of("pod shop/db-0: annotation pre.hook.backup.velero.io/timeout='300' is not a duration with a unit")),
                Arguments.of("a command that is not JSON",
                        Map.of("post.hook.backup.velero.io/command", "[\"thaw\", --all]"),
                        List.of(), List.of(), List.of("pod shop/db-0: annotation post.hook.backup.velero.io/command='[\"thaw\", --all]' is not a JSON array of strings")),
                Arguments.of("an unknown on-error",
                        Map.of("pre.hook.backup.kbackup.io/command", "[\"a\"]", "pre.hook.backup.kbackup.io/on-error", "Ignore"),
                        List.of(), List.of(), List.of("pod shop/db-0: annotation pre.hook.backup.kbackup.io/on-error='Ignore' is not Fail or Continue")),
                Arguments.of("a container without a command",
                        Map.of("pre.hook.backup.velero.io/container", "db"),
                        List.of(), List.of(), List.of("pod shop/db-0: annotation pre.hook.backup.velero.io/command is missing")),
                Arguments.of("no hook annotations, no hooks", Map.of("app", "db"), List.of(), List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotations")
    void readsTheAnnotations(String description, Map<String, String> annotations, List<ExecHook> pre, List<ExecHook> post,
                             List<String> invalid) {
        ObjectNode pod = Json.mapper().createObjectNode();
        ObjectNode meta = pod.putObject("metadata").put("name", "db-0").put("namespace", "shop");
        annotations.forEach(meta.putObject("annotations")::put);

        PodHooks hooks = PodHooks.of(pod);

        assertThat(hooks.pre()).isEqualTo(pre);
        assertThat(hooks.post()).isEqualTo(post);
        assertThat(hooks.invalid()).hasSameSizeAs(invalid);
        for (int i = 0; i < invalid.size(); i++) {
            assertThat(hooks.invalid().get(i)).startsWith(invalid.get(i));
        }
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofHours(1).plusMinutes(2).plusMillis(3500));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse(".5m")).isEqualTo(Duration.ofSeconds(30));
        for (String bad : List.of("", "30", "5 s", "1d", "s", "-1s")) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
