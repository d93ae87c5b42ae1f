package jobs.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jobs.config.KbackupProperties;
import jobs.support.InvalidInputException;

/**
 * Backup hooks from configuration ({@code kbackup.hooks.backup.resources[]}, Velero's Backup spec shape) together
 * with those pods declare by annotations. A pod picked by rules and annotated runs both, the rules' hooks first
 * (Velero drops the spec hooks of an annotated pod, a known complaint). Refuses bad configuration when built, naming
 * the key and the value.
 */
public final class BackupHookRules {

    private record Rule(String name, HookScope scope, List<ExecHook> pre, List<ExecHook> post) {
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
            rules.add(new Rule(name, HookScope.of(key, resource.includedNamespaces(), resource.excludedNamespaces(),
                    resource.labelSelector()), steps(key + ".pre", name, resource.pre()), steps(key + ".post", name, resource.post())));
        }
        return new BackupHookRules(rules);
    }

    private static List<ExecHook> steps(String key, String rule, List<KbackupProperties.HookStep> steps) {
        List<ExecHook> hooks = new ArrayList<>();
        for (int j = 0; steps != null && j < steps.size(); j++) {
            String at = key + "[" + j + "].exec";
            KbackupProperties.HookExec exec = steps.get(j).exec();
            if (exec == null || exec.command() == null || exec.command().isEmpty() || exec.command().get(0).isBlank()) {
                throw new InvalidInputException(at + ".command is required");
            }
            OnError onError = exec.onError() == null ? OnError.FAIL : HookScope.parse(at + ".on-error", exec.onError(), OnError::parse);
            Duration timeout = exec.timeout() == null ? ExecHook.DEFAULT_TIMEOUT
                    : HookScope.parse(at + ".timeout", exec.timeout(), GoDuration::parse);
            hooks.add(new ExecHook(exec.container(), exec.command(), onError, timeout, "kbackup.hooks rule " + rule));
        }
        return hooks;
    }

    /** Whether any rule picks a pod with these labels in this namespace. */
    public boolean selects(String namespace, Map<String, String> labels) {
        return rules.stream().anyMatch(r -> r.scope().selects(namespace, labels));
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
            if (rule.scope().selects(namespace, labels)) {
                pre.addAll(rule.pre());
                post.addAll(rule.post());
            }
        }
        pre.addAll(annotated.pre());
        post.addAll(annotated.post());
        return new PodHooks(pre, post, annotated.invalid());
    }
}
