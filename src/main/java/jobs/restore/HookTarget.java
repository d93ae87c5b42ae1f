package jobs.restore;

import java.util.List;
import jobs.hooks.RestoreExecHook;
import jobs.kube.ResourceType;

/**
 * A restored pod or workload whose pods run post-restore hooks: what the apply step hands the hooks step.
 *
 * @param type      pods, or a workload type
 * @param namespace target namespace
 * @param name      object name
 * @param hooks     the commands, in order
 * @param invalid   hook declarations that did not parse: recorded as failed hooks, and no hook of it runs
 */
record HookTarget(ResourceType type, String namespace, String name, List<RestoreExecHook> hooks, List<String> invalid) {

    HookTarget {
        hooks = List.copyOf(hooks);
        invalid = List.copyOf(invalid);
    }

    boolean isPod() {
        return type.qualifiedName().equals("pods");
    }

    /** "pod shop/db-0", "deployments.apps shop/web". */
    String describe() {
        return (isPod() ? "pod" : type.qualifiedName()) + " " + namespace + "/" + name;
    }
}
