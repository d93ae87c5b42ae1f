package jobs.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jobs.config.KbackupProperties;
import jobs.filter.Glob;
import jobs.filter.LabelSelector;
import jobs.support.InvalidInputException;

/**
 * Backup hooks from configuration ({@code kbackup.hooks.backup.resources[]}, Velero's Backup spec shape) together
 * with those pods declare by annotations. A pod picked by rules and annotated runs both, the rules' hooks first
 * (Velero drops the spec hooks of an annotated pod, a known complaint). Refuses bad configuration when built, naming
 * the key and the value.
 */
public final class BackupHookRules {

    private record Rule(String name, List<Glob> included, List<Glob> excluded, LabelSelector selector, List<ExecHook> pre,
                        List<ExecHook> post) {

        boolean selects(String namespace, Map<String, String> labels) {
            return (included.isEmpty() || included.stream().anyMatch(g -> g.matches(namespace)))
                    && excluded.stream().noneMatch(g -> g.matches(namespace)) && selector.matches(labels);
        }
    }

    public static final BackupHookRules NONE = new BackupHookRules(List.of());
    private static final String KEY = "kbackup.hooks.backup.resources";

    private final List<Rule> rules;

    private BackupHookRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** @throws InvalidInputException naming the key and value of the first bad entry */
    public static BackupHookRules of(KbackupProperties.BackupHooks config) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < config.resources().size(); i++) {
            KbackupProperties.HookResource resource = config.resources().get(i);
            String key = KEY + "[" + i + "]";
            String name = resource.name() == null || resource.name().isBlank() ? key : resource.name();
            LabelSelector selector;
            try {
                selector = LabelSelector.parse(resource.labelSelector());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(key + ".label-selector='" + resource.labelSelector() + "': " + e.getMessage());
            }
            rules.add(new Rule(name, globs(key + ".included-namespaces", resource.includedNamespaces()),
                    globs(key + ".excluded-namespaces", resource.excludedNamespaces()), selector,
                    steps(key + ".pre", name, resource.pre()), steps(key + ".post", name, resource.post())));
        }
        return new BackupHookRules(rules);
    }

    private static List<Glob> globs(String key, List<String> patterns) {
        List<Glob> globs = new ArrayList<>();
        for (String pattern : patterns == null ? List.<String>of() : patterns) {
            try {
                globs.add(Glob.compile(pattern));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(key + "='" + pattern + "': " + e.getMessage());
            }
        }
        return globs;
    }

    private static List<ExecHook> steps(String key, String rule, List<KbackupProperties.HookStep> steps) {
        List<ExecHook> hooks = new ArrayList<>();
        for (int j = 0; steps != null && j < steps.size(); j++) {
            String at = key + "[" + j + "].exec";
            KbackupProperties.HookExec exec = steps.get(j).exec();
            if (exec == null || exec.command() == null || exec.command().isEmpty() || exec.command().get(0).isBlank()) {
                throw new InvalidInputException(at + ".command is required");
            }
            OnError onError;
            try {
                onError = exec.onError() == null ? OnError.FAIL : OnError.parse(exec.onError());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(at + ".on-error='" + exec.onError() + "' " + e.getMessage());
            }
            Duration timeout;
            try {
                timeout = exec.timeout() == null ? ExecHook.DEFAULT_TIMEOUT : GoDuration.parse(exec.timeout());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(at + ".timeout='" + exec.timeout() + "' " + e.getMessage());
            }
            hooks.add(new ExecHook(exec.container(), exec.command(), onError, timeout, "kbackup.hooks rule " + rule));
        }
        return hooks;
    }

    /** Whether any rule picks a pod with these labels in this namespace. */
    public boolean selects(String namespace, Map<String, String> labels) {
        return rules.stream().anyMatch(r -> r.selects(namespace, labels == null ? Map.of() : labels));
    }

    /** Every hook of a pod: the rules' that pick it, then its annotations'. */
    public PodHooks forPod(JsonNode pod) {
        PodHooks annotated = PodHooks.of(pod);
        Map<String, String> labels = new HashMap<>();
        pod.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String namespace = pod.path("metadata").path("namespace").asText();
        List<ExecHook> pre = new ArrayList<>();
        List<ExecHook> post = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.selects(namespace, labels)) {
                pre.addAll(rule.pre());
                post.addAll(rule.post());
            }
        }
        pre.addAll(annotated.pre());
        post.addAll(annotated.post());
        return new PodHooks(pre, post, annotated.invalid());
    }
}
