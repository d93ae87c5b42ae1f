package jobs.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An init container a restore hook adds first among a pod's init containers.
 *
 * @param container the container, as in a pod spec
 * @param source    where it was declared, for the plan and messages
 */
public record InitHook(ObjectNode container, String source) {

    public String name() {
        return container.path("name").asText();
    }

    /** For a dry run's plan: "init container restore-hook (alpine:3.20)". */
    public String describe() {
        return "init container " + name() + " (" + container.path("image").asText() + ")";
    }
}
