package jobs.testing;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * RBAC's authorizer, written for the tests from Kubernetes' rules (not from kbackup's code): whether a service
 * account may do a verb on a resource, by the Roles, ClusterRoles and bindings an API server holds. Wildcards
 * ({@code *}) match any group, resource or verb; a RoleBinding grants only in its own namespace.
 */
public final class Rbac {

    private final KubernetesClient client;

    public Rbac(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param namespace where the request is made, null for a cluster-scoped resource (only ClusterRoleBindings grant
     *                  those)
     */
    public boolean allowed(String accountNamespace, String account, String verb, String group, String resource, String namespace) {
        return allowed(accountNamespace, account, verb, group, resource, namespace, null);
    }

    /**
     * A request for one object by name: rules listing {@code resourceNames} grant only requests naming one of them (a
     * list or a create names none, as a real API server has it).
     */
    public boolean allowed(String accountNamespace, String account, String verb, String group, String resource, String namespace,
                           String name) {
        if (namespace != null) {
            for (var binding : client.rbac().roleBindings().inNamespace(namespace).list().getItems()) {
                if (boundTo(binding.getSubjects(), accountNamespace, account)
                        && grants(rules(binding.getRoleRef(), namespace), verb, group, resource, name)) {
                    return true;
                }
            }
        }
        for (var binding : client.rbac().clusterRoleBindings().list().getItems()) {
            if (boundTo(binding.getSubjects(), accountNamespace, account) && grants(rules(binding.getRoleRef(), null), verb, group, resource, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean boundTo(List<Subject> subjects, String accountNamespace, String account) {
        return subjects != null && subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                && s.getName().equals(account) && accountNamespace.equals(s.getNamespace()));
    }

    private List<PolicyRule> rules(RoleRef ref, String namespace) {
        if (ref.getKind().equals("ClusterRole")) {
            var role = client.rbac().clusterRoles().withName(ref.getName()).get();
            return role == null ? List.of() : role.getRules();
        }
        var role = client.rbac().roles().inNamespace(namespace).withName(ref.getName()).get();
        return role == null ? List.of() : role.getRules();
    }

    private static boolean grants(List<PolicyRule> rules, String verb, String group, String resource, String name) {
        return rules.stream().anyMatch(r -> matches(r.getVerbs(), verb) && matches(r.getApiGroups(), group)
                && matches(r.getResources(), resource)
                && (r.getResourceNames() == null || r.getResourceNames().isEmpty() || name != null && r.getResourceNames().contains(name)));
    }

    private static boolean matches(List<String> allowed, String value) {
        return allowed != null && (allowed.contains("*") || allowed.contains(value));
    }
}
