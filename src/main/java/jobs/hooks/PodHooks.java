package jobs.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The backup hooks a pod declares by annotations, in Velero's names and meaning and in kbackup's own:
 * {@code pre.hook.backup.velero.io/}, {@code post.hook.backup.velero.io/}, the unprefixed
 * {@code hook.backup.velero.io/} (pre), {@code pre.hook.backup.kbackup.io/} and {@code post.hook.backup.kbackup.io/},
 * each with {@code container}, {@code command}, {@code on-error} and {@code timeout}. A command is a JSON array of
 * strings, or one string for a program without arguments, as Velero takes it.
 *
 * <p>An annotation that does not parse is never replaced by a default: it becomes an invalid hook naming the pod,
 * the annotation and the bad value, which the backup records as a Failed hook.
 *
 * @param pre     pre hooks, Velero's before kbackup's
 * @param post    post hooks, likewise
 * @param invalid what is wrong, one message per bad hook declaration
 */
public record PodHooks(List<ExecHook> pre, List<ExecHook> post, List<String> invalid) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PRE = {"pre.hook.backup.velero.io/", "hook.backup.velero.io/", "pre.hook.backup.kbackup.io/"};
    private static final String[] POST = {"post.hook.backup.velero.io/", "post.hook.backup.kbackup.io/"};

    public PodHooks {
        pre = List.copyOf(pre);
        post = List.copyOf(post);
        invalid = List.copyOf(invalid);
    }

    public boolean isEmpty() {
        return pre.isEmpty() && post.isEmpty() && invalid.isEmpty();
    }

    /** Whether these annotations declare any backup hook (valid or not). */
    public static boolean declared(Map<String, String> annotations) {
        if (annotations == null) {
            return false;
        }
        for (String key : annotations.keySet()) {
            for (String prefix : PRE) {
                if (key.startsWith(prefix)) {
                    return true;
                }
            }
            for (String prefix : POST) {
                if (key.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The hooks of a pod, from its metadata. */
    public static PodHooks of(JsonNode pod) {
        JsonNode annotations = pod.path("metadata").path("annotations");
        String podName = pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name").asText();
        List<ExecHook> pre = new ArrayList<>();
        List<ExecHook> post = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String prefix : PRE) {
            read(annotations, prefix, podName, pre, invalid);
        }
        for (String prefix : POST) {
            read(annotations, prefix, podName, post, invalid);
        }
        return new PodHooks(pre, post, invalid);
    }

    private static void read(JsonNode annotations, String prefix, String pod, List<ExecHook> hooks, List<String> invalid) {
        JsonNode command = annotations.path(prefix + "command");
        boolean declared = command.isTextual() || annotations.has(prefix + "container") || annotations.has(prefix + "on-error")
                || annotations.has(prefix + "timeout");
        if (!declared) {
            return;
        }
        String annotation = null;
        String value = null;
        try {
            annotation = prefix + "command";
            value = command.asText(null);
            if (value == null) {
                throw new IllegalArgumentException("is missing");
            }
            List<String> program = command(value);
            annotation = prefix + "on-error";
            value = annotations.path(annotation).asText(null);
            OnError onError = value == null ? OnError.FAIL : OnError.parse(value);
            annotation = prefix + "timeout";
            value = annotations.path(annotation).asText(null);
            Duration timeout = value == null ? ExecHook.DEFAULT_TIMEOUT : GoDuration.parse(value);
            hooks.add(new ExecHook(annotations.path(prefix + "container").asText(null), program, onError, timeout,
                    "annotation " + prefix));
        } catch (IllegalArgumentException e) {
            invalid.add("pod " + pod + ": annotation " + annotation + (value == null ? "" : "='" + value + "'") + " "
                    + e.getMessage());
        }
    }

    static List<String> command(String value) {
        String text = value.trim();
        if (!text.startsWith("[")) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("is empty");
            }
            return List.of(text);
        }
        try {
            JsonNode array = JSON.readTree(text);
            List<String> command = new ArrayList<>();
            for (JsonNode part : array) {
                if (!part.isTextual()) {
                    throw new IllegalArgumentException("is not a JSON array of strings");
                }
                command.add(part.asText());
            }
            if (command.isEmpty()) {
                throw new IllegalArgumentException("is an empty command");
            }
            return command;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("is not a JSON array of strings: " + e.getOriginalMessage());
        }
    }
}
