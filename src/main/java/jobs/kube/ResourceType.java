package jobs.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * One listable API resource at the version the cluster prefers.
 *
 * @param group      API group, empty for the core group
 * @param version    preferred version
 * @param resource   plural name, as in URLs
 * @param kind       kind of its objects
 * @param namespaced whether its objects live in namespaces
 * @param shortNames kubectl short names, may be empty
 */
public record ResourceType(String group, String version, String resource, String kind, boolean namespaced,
                           List<String> shortNames) {

    public ResourceType {
        group = group == null ? "" : group;
        shortNames = shortNames == null ? List.of() : List.copyOf(shortNames);
    }

    /** {@code deployments.apps}, or just {@code configmaps} for the core group: how users and Velero name it. */
    public String qualifiedName() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group).withVersion(version).withPlural(resource).withKind(kind).withNamespaced(namespaced)
                .build();
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
