package jobs.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jobs.config.KbackupProperties;
import jobs.support.InvalidInputException;
import jobs.support.Json;

/**
 * Restore hooks from configuration ({@code kbackup.hooks.restore.resources[]}, Velero's Restore spec shape) together
 * with those pods and pod templates declare by annotations; the rules' hooks come first. Refuses bad configuration
 * when built, naming the key and the value.
 */
public final class RestoreHookRules {

    private record Rule(HookScope scope, List<InitHook> init, List<RestoreExecHook> exec) {
    }

    public static final RestoreHookRules NONE = new RestoreHookRules(List.of());
    private static final String KEY = "kbackup.hooks.restore.resources";

    private final List<Rule> rules;

    private RestoreHookRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** @throws InvalidInputException naming the key and value of the first bad entry */
    public static RestoreHookRules of(KbackupProperties.RestoreHooks config) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < config.resources().size(); i++) {
            KbackupProperties.RestoreHookResource resource = config.resources().get(i);
            String key = KEY + "[" + i + "]";
            String source = "kbackup.hooks rule " + (resource.name() == null || resource.name().isBlank() ? key : resource.name());
            HookScope scope = HookScope.of(key, resource.includedNamespaces(), resource.excludedNamespaces(), resource.labelSelector());
            List<InitHook> init = new ArrayList<>();
            List<RestoreExecHook> exec = new ArrayList<>();
            List<KbackupProperties.RestoreHookStep> steps = resource.postHooks() == null ? List.of() : resource.postHooks();
            for (int j = 0; j < steps.size(); j++) {
                String at = key + ".post-hooks[" + j + "]";
                KbackupProperties.RestoreHookStep step = steps.get(j);
                if ((step.init() == null) == (step.exec() == null)) {
                    throw new InvalidInputException(at + " needs exactly one of init and exec");
                }
                if (step.init() != null) {
                    init.addAll(init(at + ".init", step.init(), source));
                } else {
                    exec.add(exec(at + ".exec", step.exec(), source));
                }
            }
            rules.add(new Rule(scope, init, exec));
        }
        return new RestoreHookRules(rules);
    }

    private static List<InitHook> init(String key, KbackupProperties.InitHookSpec spec, String source) {
        if (spec.timeout() != null) {
            HookScope.parse(key + ".timeout", spec.timeout(), GoDuration::parse);
        }
        List<KbackupProperties.InitContainerSpec> containers = spec.initContainers() == null ? List.of() : spec.initContainers();
        if (containers.isEmpty()) {
            throw new InvalidInputException(key + ".init-containers is empty");
        }
        List<InitHook> hooks = new ArrayList<>();
        for (int k = 0; k < containers.size(); k++) {
            KbackupProperties.InitContainerSpec c = containers.get(k);
            String at = key + ".init-containers[" + k + "]";
            if (c.image() == null || c.image().isBlank()) {
                throw new InvalidInputException(at + ".image is required");
            }
            ObjectNode container = Json.mapper().createObjectNode();
            container.put("name", c.name() == null || c.name().isBlank() ? RestoreHooks.DEFAULT_INIT_NAME + "-" + k : c.name());
            container.put("image", c.image());
            if (c.command() != null && !c.command().isEmpty()) {
                c.command().forEach(container.withArray("command")::add);
            }
            if (c.args() != null && !c.args().isEmpty()) {
                c.args().forEach(container.withArray("args")::add);
            }
            for (int m = 0; c.volumeMounts() != null && m < c.volumeMounts().size(); m++) {
                KbackupProperties.VolumeMountSpec mount = c.volumeMounts().get(m);
                if (mount.name() == null || mount.mountPath() == null) {
                    throw new InvalidInputException(at + ".volume-mounts[" + m + "] needs a name and a mount-path");
                }
                ObjectNode node = container.withArray("volumeMounts").addObject().put("name", mount.name()).put("mountPath", mount.mountPath());
                if (mount.subPath() != null) {
                    node.put("subPath", mount.subPath());
                }
                if (Boolean.TRUE.equals(mount.readOnly())) {
                    node.put("readOnly", true);
                }
            }
            hooks.add(new InitHook(container, source));
        }
        return hooks;
    }

    private static RestoreExecHook exec(String key, KbackupProperties.RestoreExecSpec spec, String source) {
        if (spec.command() == null || spec.command().isEmpty() || spec.command().get(0).isBlank()) {
            throw new InvalidInputException(key + ".command is required");
        }
        OnError onError = spec.onError() == null ? OnError.CONTINUE : HookScope.parse(key + ".on-error", spec.onError(), OnError::parse);
        Duration execTimeout = spec.execTimeout() == null ? ExecHook.DEFAULT_TIMEOUT
                : HookScope.parse(key + ".exec-timeout", spec.execTimeout(), v -> RestoreHooks.positive(GoDuration.parse(v)));
        Duration waitTimeout = spec.waitTimeout() == null ? RestoreExecHook.DEFAULT_WAIT
                : HookScope.parse(key + ".wait-timeout", spec.waitTimeout(), v -> RestoreHooks.positive(GoDuration.parse(v)));
        return new RestoreExecHook(new ExecHook(spec.container(), spec.command(), onError, execTimeout, source), waitTimeout,
                Boolean.TRUE.equals(spec.waitForReady()));
    }

    /**
     * Every restore hook of a pod or pod template: the rules' that pick it, then its annotations'.
     *
     * @param namespace the namespace it was backed up in
     * @param metadata  the pod's or template's metadata
     * @param owner     what to name in messages: "pod shop/db-0", "deployment shop/web"
     */
    public RestoreHooks forPod(String namespace, JsonNode metadata, String owner) {
        RestoreHooks annotated = RestoreHooks.of(metadata, owner);
        Map<String, String> labels = new HashMap<>();
        metadata.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        List<InitHook> init = new ArrayList<>();
        List<RestoreExecHook> exec = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.scope().selects(namespace, labels)) {
                init.addAll(rule.init());
                exec.addAll(rule.exec());
            }
        }
        init.addAll(annotated.init());
        exec.addAll(annotated.exec());
        return new RestoreHooks(init, exec, annotated.invalid());
    }
}
