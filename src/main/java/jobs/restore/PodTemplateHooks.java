package jobs.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jobs.hooks.InitHook;
import jobs.hooks.RestoreExecHook;
import jobs.hooks.RestoreHookRules;
import jobs.hooks.RestoreHooks;
import jobs.kube.ResourceType;

/**
 * Restore hooks of a restored pod, and (unlike Velero, which skips pods owned by controllers, so that its hooks never
 * run for most workloads) of the pod template of a restored workload: init containers are put first in the pod spec
 * as it is applied, exec hooks go to the hooks step. An object with an invalid hook declaration is restored without
 * any of its hooks, and the problem is recorded as a failed hook.
 */
final class PodTemplateHooks {

    /** Where each workload keeps its pod template. */
    private static final Map<String, List<String>> TEMPLATES = Map.of(
            "pods", List.of(),
            "deployments.apps", List.of("spec", "template"),
            "statefulsets.apps", List.of("spec", "template"),
            "daemonsets.apps", List.of("spec", "template"),
            "replicasets.apps", List.of("spec", "template"),
            "jobs.batch", List.of("spec", "template"),
            "cronjobs.batch", List.of("spec", "jobTemplate", "spec", "template"));

    /**
     * What was done to an object.
     *
     * @param note   for the plan and the results: the hooks added and to run, or why none
     * @param target the pods' exec hooks (or invalid declarations) for the hooks step, null for none
     */
    record Planned(String note, HookTarget target) {
    }

    private final RestoreHookRules rules;
    private final boolean dryRun;

    PodTemplateHooks(RestoreHookRules rules, boolean dryRun) {
        this.rules = rules;
        this.dryRun = dryRun;
    }

    /** Adds the object's init hooks to it; null when it declares no restore hook. */
    Planned apply(ResourceType type, String sourceNamespace, ObjectNode object, String targetNamespace) {
        List<String> path = TEMPLATES.get(type.qualifiedName());
        if (path == null) {
            return null;
        }
        JsonNode template = object;
        for (String field : path) {
            template = template.path(field);
        }
        if (!(template instanceof ObjectNode pod)) {
            return null;
        }
        String name = object.path("metadata").path("name").asText();
        String owner = (path.isEmpty() ? "pod" : type.qualifiedName()) + " " + sourceNamespace + "/" + name;
        RestoreHooks hooks = rules.forPod(sourceNamespace, pod.path("metadata"), owner);
        if (hooks.isEmpty()) {
            return null;
        }
        if (!hooks.invalid().isEmpty()) {
            return new Planned("restored without its hooks: invalid hook: " + String.join("; ", hooks.invalid()),
                    new HookTarget(type, targetNamespace, name, List.of(), hooks.invalid()));
        }
        List<String> notes = new ArrayList<>();
        if (!hooks.init().isEmpty()) {
            addInitContainers(pod.with("spec"), hooks.init());
            notes.add((dryRun ? "would add " : "added ") + String.join(", ", hooks.init().stream().map(InitHook::describe).toList()));
        }
        HookTarget target = null;
        if (!hooks.exec().isEmpty()) {
            if (type.qualifiedName().equals("cronjobs.batch")) {
                notes.add("post-restore exec hooks not run: a CronJob's pods start on its schedule");
            } else {
                notes.add((dryRun ? "would run " : "runs ") + "in its pods: "
                        + String.join("; ", hooks.exec().stream().map(RestoreExecHook::describe).toList()));
                target = new HookTarget(type, targetNamespace, name, hooks.exec(), List.of());
            }
        }
        return new Planned("hooks: " + String.join("; ", notes), target);
    }

    /** First among the init containers, in order; one of the same name already there (restored twice) is replaced. */
    private static void addInitContainers(ObjectNode spec, List<InitHook> init) {
        ArrayNode existing = spec.withArray("initContainers");
        ArrayNode merged = spec.arrayNode();
        List<String> names = init.stream().map(InitHook::name).toList();
        init.forEach(h -> merged.add(h.container().deepCopy()));
        existing.forEach(c -> {
            if (!names.contains(c.path("name").asText())) {
                merged.add(c);
            }
        });
        spec.set("initContainers", merged);
    }
}
