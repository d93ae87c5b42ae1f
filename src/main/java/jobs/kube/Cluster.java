package jobs.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The cluster port: what the jobs need from a Kubernetes API server. Implemented over fabric8; tests run the same
 * implementation against an API server test double.
 */
public interface Cluster {

    /** The API server address, recorded in restore points. */
    String server();

    /**
     * Every listable resource at its preferred version, custom resources included, subresources left out. A group
     * whose discovery document the server cannot give (an aggregated API answering 503) is named in
     * {@link Discovery#unavailable()} instead of failing the call; only the core API and the group list are essential.
     */
    Discovery discover();

    /**
     * Streams one page of objects of a type: each object is handed to {@code items} as soon as it is read, so a page
     * is never held whole. A failure can come after some objects were handed on.
     *
     * @param namespace     a namespace, or null for all namespaces (and for cluster-scoped types)
     * @param labelSelector canonical selector text, or empty for all
     * @param continueToken null for the first page
     * @return the continue token of the next page, null on the last page
     * @throws ContinueExpiredException when the server answers 410 Gone for the token
     * @throws ClusterAccessException   for any other failure, after the client's own retries
     */
    String list(ResourceType type, String namespace, String labelSelector, int limit, String continueToken,
                Consumer<ListedObject> items);

    /** One object, or empty when it does not exist. */
    Optional<GenericKubernetesResource> get(ResourceType type, String namespace, String name);

    /**
     * Waits until {@code condition} holds for an object, watching it rather than polling, and returns it as it was
     * then; the condition sees null once the object is gone.
     *
     * @throws AwaitTimeoutException  when {@code timeout} passes first
     * @throws ClusterAccessException when the watch cannot be opened
     */
    Optional<GenericKubernetesResource> await(ResourceType type, String namespace, String name,
                                              Predicate<GenericKubernetesResource> condition, Duration timeout);

    /** Creates an object and returns it as stored; a 409 for an existing one surfaces as {@link ClusterAccessException}. */
    GenericKubernetesResource create(ResourceType type, GenericKubernetesResource object);

    /** Applies a JSON merge patch (RFC 7386) to an object and returns it as stored. */
    GenericKubernetesResource mergePatch(ResourceType type, String namespace, String name, String patch);

    /** Deletes an object; one that is already gone counts as deleted. */
    void delete(ResourceType type, String namespace, String name);

    /**
     * Runs a command, without a shell, in a container of a running pod ({@code pods/exec}) and waits for its end.
     *
     * @throws ClusterAccessException when the server refuses it (no such pod or container, pod not running, 403)
     */
    ExecResult exec(String namespace, String pod, String container, List<String> command, Duration timeout);

    /** Whether the caller may do this, by a SelfSubjectAccessReview: the API server's own authorizer decides. */
    boolean allowed(Access access);
}
