package jobs.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jobs.support.Json;

/**
 * The restore hooks of a pod, or of a workload's pod template: init containers to add, and commands to run in the
 * restored pods. Read from annotations in Velero's names and meaning, {@code init.hook.restore.velero.io/}
 * ({@code container-image}, {@code container-name}, {@code command}, {@code timeout}) and
 * {@code post.hook.restore.velero.io/} ({@code container}, {@code command}, {@code on-error}, {@code exec-timeout},
 * {@code wait-timeout}, {@code wait-for-ready}), and in kbackup's own {@code init.hook.restore.kbackup.io/} and
 * {@code post.hook.restore.kbackup.io/}. On-error defaults to Continue, as in Velero; the wait to 10 minutes,
 * where Velero's waits forever.
 *
 * <p>An annotation that does not parse is never replaced by a default: it becomes an invalid hook naming the pod,
 * the annotation and the bad value.
 *
 * @param init    init containers, in order, configuration's before annotations'
 * @param exec    commands, likewise
 * @param invalid what is wrong, one message per bad declaration
 */
public record RestoreHooks(List<InitHook> init, List<RestoreExecHook> exec, List<String> invalid) {

    public static final RestoreHooks NONE = new RestoreHooks(List.of(), List.of(), List.of());
    static final String DEFAULT_INIT_NAME = "restore-hook";
    private static final String[] INIT = {"init.hook.restore.velero.io/", "init.hook.restore.kbackup.io/"};
    private static final String[] POST = {"post.hook.restore.velero.io/", "post.hook.restore.kbackup.io/"};

    public RestoreHooks {
        init = List.copyOf(init);
        exec = List.copyOf(exec);
        invalid = List.copyOf(invalid);
    }

    public boolean isEmpty() {
        return init.isEmpty() && exec.isEmpty() && invalid.isEmpty();
    }

    /** The hooks declared by the annotations of a pod or pod template's {@code metadata}; {@code owner} names it. */
    public static RestoreHooks of(JsonNode metadata, String owner) {
        JsonNode annotations = metadata.path("annotations");
        List<InitHook> init = new ArrayList<>();
        List<RestoreExecHook> exec = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String prefix : INIT) {
            Reader r = new Reader(annotations, prefix, owner, invalid);
            if (r.declared("container-image", "container-name", "command", "timeout")) {
                r.run(() -> {
                    String image = r.required("container-image");
                    ObjectNode container = Json.mapper().createObjectNode();
                    container.put("name", r.optional("container-name", DEFAULT_INIT_NAME));
                    container.put("image", image);
                    String command = r.text("command");
                    if (command != null) {
                        ArrayNode array = container.putArray("command");
                        r.parse("command", () -> PodHooks.command(command)).forEach(array::add);
                    }
                    r.parse("timeout", () -> r.text("timeout") == null ? null : GoDuration.parse(r.text("timeout")));
                    init.add(new InitHook(container, "annotation " + prefix));
                });
            }
        }
        for (String prefix : POST) {
            Reader r = new Reader(annotations, prefix, owner, invalid);
            if (r.declared("container", "command", "on-error", "exec-timeout", "wait-timeout", "wait-for-ready")) {
                r.run(() -> {
                    List<String> command = r.parse("command", () -> PodHooks.command(r.required("command")));
                    OnError onError = r.parse("on-error", () -> r.text("on-error") == null ? OnError.CONTINUE : OnError.parse(r.text("on-error")));
                    Duration execTimeout = r.parse("exec-timeout", () -> r.text("exec-timeout") == null ? ExecHook.DEFAULT_TIMEOUT
                            : positive(GoDuration.parse(r.text("exec-timeout"))));
                    Duration waitTimeout = r.parse("wait-timeout", () -> r.text("wait-timeout") == null ? RestoreExecHook.DEFAULT_WAIT
                            : positive(GoDuration.parse(r.text("wait-timeout"))));
                    boolean ready = r.parse("wait-for-ready", () -> bool(r.text("wait-for-ready")));
                    exec.add(new RestoreExecHook(new ExecHook(r.text("container"), command, onError, execTimeout, "annotation " + prefix),
                            waitTimeout, ready));
                });
            }
        }
        return new RestoreHooks(init, exec, invalid);
    }

    static Duration positive(Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be positive (kbackup never waits forever)");
        }
        return d;
    }

    static boolean bool(String text) {
        if (text == null) {
            return false;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("is not true or false");
        };
    }

    /** Reads one prefix's annotations, turning the first bad value into an invalid-hook message. */
    private static final class Reader {

        /** A step that may refuse its value. */
        interface Step<T> {
            T get();
        }

        private final JsonNode annotations;
        private final String prefix;
        private final String owner;
        private final List<String> invalid;

        Reader(JsonNode annotations, String prefix, String owner, List<String> invalid) {
            this.annotations = annotations;
            this.prefix = prefix;
            this.owner = owner;
            this.invalid = invalid;
        }

        boolean declared(String... keys) {
            for (String key : keys) {
                if (annotations.has(prefix + key)) {
                    return true;
                }
            }
            return false;
        }

        String text(String key) {
            return annotations.path(prefix + key).asText(null);
        }

        String optional(String key, String fallback) {
            String value = text(key);
            return value == null || value.isBlank() ? fallback : value;
        }

        String required(String key) {
            String value = text(key);
            if (value == null || value.isBlank()) {
                throw new Invalid(key, null, "is missing");
            }
            return value;
        }

        <T> T parse(String key, Step<T> step) {
            try {
                return step.get();
            } catch (Invalid e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new Invalid(key, text(key), e.getMessage());
            }
        }

        void run(Runnable read) {
            try {
                read.run();
            } catch (Invalid e) {
                invalid.add(owner + ": annotation " + prefix + e.key + (e.value == null ? "" : "='" + e.value + "'") + " " + e.getMessage());
            }
        }

        private static final class Invalid extends RuntimeException {

            private final String key;
            private final String value;

            Invalid(String key, String value, String message) {
                super(message, null, false, false);
                this.key = key;
                this.value = value;
            }
        }
    }
}
