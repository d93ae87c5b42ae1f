package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * The API double's authorizer: everything is allowed except what a test denies kbackup's account (the token of
 * {@link ApiServer#writeKubeconfig}; the tests' own client is an administrator), or, once a test grants it RBAC rules
 * (those of the shipped manifests), only what they grant; the double answers both
 * requests and SelfSubjectAccessReviews by the same rules, as a real API server's RBAC authorizer does. Creating a
 * Role or ClusterRole whose {@code escalate} is denied, or a binding whose {@code bind} on its role is denied, is
 * refused the way RBAC refuses a grant of permissions the caller does not hold.
 */
final class Authorizer {

    static final String USER = "system:serviceaccount:kbackup:kbackup";
    static final String TOKEN = "test-token";

    /** A denial; a null namespace denies in every namespace and cluster-wide. */
    private record Denial(String verb, String group, String resource, String namespace) {

        boolean covers(String verb, String group, String resource, String namespace) {
            return this.verb.equals(verb) && this.group.equals(group) && this.resource.equals(resource)
                    && (this.namespace == null || this.namespace.equals(namespace));
        }
    }

    /**
     * An RBAC PolicyRule, matched as kube-apiserver's RBAC authorizer matches it: {@code *} or an exact group,
     * resource (subresources spelled {@code pods/exec}) and verb; a namespace for a Role's rule, null for a ClusterRole's.
     */
    record Grant(List<String> apiGroups, List<String> resources, List<String> verbs, String namespace) {

        boolean covers(String verb, String group, String resource, String namespace) {
            return (this.namespace == null || this.namespace.equals(namespace))
                    && (apiGroups.contains("*") || apiGroups.contains(group))
                    && (resources.contains("*") || resources.contains(resource)
                        || resource.contains("/") && resources.contains("*/" + resource.substring(resource.indexOf('/') + 1)))
                    && (verbs.contains("*") || verbs.contains(verb));
        }
    }

    private final Set<Denial> denials = ConcurrentHashMap.newKeySet();
    /** When set, kbackup's account may do only what these grant (and the denials still take away). */
    private volatile List<Grant> grants;

    void deny(String verb, String group, String resource, String namespace) {
        denials.add(new Denial(verb, group, resource, namespace));
    }

    void grantOnly(List<Grant> rules) {
        this.grants = List.copyOf(rules);
    }

    boolean allowed(String verb, String group, String resource, String namespace) {
        List<Grant> only = grants;
        return (only == null || only.stream().anyMatch(g -> g.covers(verb, group, resource, namespace)))
                && denials.stream().noneMatch(d -> d.covers(verb, group, resource, namespace));
    }

    /** Whether this caller may exec into pods of the namespace ({@code create pods/exec}). */
    boolean allowsExec(String authorization, String namespace) {
        return !isKbackup(authorization) || allowed("create", "", "pods/exec", namespace);
    }

    /** The 403 a request gets, or null when it may go on. */
    MockResponse check(String authorization, String method, ApiServer.Route route, Map<String, String> query, JsonNode body) {
        if (route == null || (denials.isEmpty() && grants == null) || !isKbackup(authorization)) {
            return null;
        }
        String verb = switch (method) {
            case "GET" -> route.name() != null ? "get" : "true".equals(query.get("watch")) ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> route.name() != null ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        if (!allowed(verb, route.group(), route.resource(), route.namespace())) {
            return ApiServer.status(403, "Forbidden", route.resource() + (route.group().isEmpty() ? "" : "." + route.group())
                    + (route.name() == null ? "" : " \"" + route.name() + "\"") + " is forbidden: User \"" + USER + "\" cannot "
                    + verb + " resource \"" + route.resource() + "\" in API group \"" + route.group() + "\""
                    + (route.namespace() == null ? " at the cluster scope" : " in the namespace \"" + route.namespace() + "\""));
        }
        if (route.group().equals("rbac.authorization.k8s.io") && (verb.equals("create") || verb.equals("update") || verb.equals("patch"))
                && body != null && !grantAllowed(route, body)) {
            return ApiServer.status(403, "Forbidden", route.resource() + ".rbac.authorization.k8s.io \""
                    + body.path("metadata").path("name").asText(route.name()) + "\" is forbidden: user \"" + USER
                    + "\" is attempting to grant RBAC permissions not currently held");
        }
        return null;
    }

    private boolean grantAllowed(ApiServer.Route route, JsonNode body) {
        String rbac = "rbac.authorization.k8s.io";
        return switch (route.resource()) {
            case "roles", "clusterroles" -> allowed("escalate", rbac, route.resource(), route.namespace());
            case "rolebindings", "clusterrolebindings" -> {
                String roleKind = body.path("roleRef").path("kind").asText();
                yield allowed("bind", rbac, roleKind.equals("ClusterRole") ? "clusterroles" : "roles", route.namespace());
            }
            default -> true;
        };
    }

    /** The answer to a POST of a SelfSubjectAccessReview: the review with its status filled in. */
    MockResponse review(String authorization, JsonNode body) {
        ObjectNode review = body.deepCopy();
        JsonNode attributes = body.path("spec").path("resourceAttributes");
        String namespace = attributes.path("namespace").asText("");
        boolean allowed = !isKbackup(authorization) || allowed(attributes.path("verb").asText(), attributes.path("group").asText(""),
                attributes.path("resource").asText(), namespace.isEmpty() ? null : namespace);
        ObjectNode status = review.putObject("status").put("allowed", allowed);
        if (!allowed) {
            status.put("denied", true).put("reason", "denied by the test's deny list");
        }
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody(review.toString());
    }

    private static boolean isKbackup(String authorization) {
        return ("Bearer " + TOKEN).equals(authorization);
    }

    static boolean isReview(ApiServer.Route route) {
        return route != null && route.group().equals("authorization.k8s.io") && route.resource().equals("selfsubjectaccessreviews");
    }
}
