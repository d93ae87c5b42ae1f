package jobs.kube;

import java.util.List;

/**
 * What API discovery found. A real cluster often has an aggregated API that does not answer (metrics-server
 * restarting, a stale APIService): its group is left out and named here instead of failing every backup.
 *
 * @param types       every listable resource at its preferred version, subresources left out
 * @param unavailable the group versions the server could not describe, with the cause
 */
public record Discovery(List<ResourceType> types, List<UnavailableGroup> unavailable) {

    public Discovery {
        types = List.copyOf(types);
        unavailable = List.copyOf(unavailable);
    }

    /**
     * A group version whose discovery document could not be read.
     *
     * @param groupVersion e.g. {@code metrics.k8s.io/v1beta1}
     * @param cause        what the server answered
     */
    public record UnavailableGroup(String groupVersion, String cause) {

        public String group() {
            return groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
        }
    }
}
