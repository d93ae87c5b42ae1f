package jobs.kube;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jobs.kube.Discovery.UnavailableGroup;
import jobs.support.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster port over fabric8. 429 and 5xx answers are retried by fabric8 itself (honouring Retry-After) up to
 * {@code kbackup.kube.request-retries}; what is left after that reaches the caller as a typed exception.
 */
public final class Fabric8Cluster implements Cluster {

    private static final Logger log = LoggerFactory.getLogger(Fabric8Cluster.class);

    private final KubernetesClient client;

    public Fabric8Cluster(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String server() {
        return client.getMasterUrl().toString();
    }

    @Override
    public Discovery discover() {
        List<ResourceType> types = new ArrayList<>();
        addListable(types, "", call("discover API resources", () -> client.getApiResources("v1")));
        List<UnavailableGroup> unavailable = new ArrayList<>();
        for (APIGroup group : call("discover API groups", () -> client.getApiGroups()).getGroups()) {
            String groupVersion = group.getPreferredVersion() != null
                    ? group.getPreferredVersion().getGroupVersion()
                    : group.getVersions().get(0).getGroupVersion();
            try {
                APIResourceList resources = call("discover " + groupVersion, () -> client.getApiResources(groupVersion));
                if (resources == null) {
                    unavailable.add(new UnavailableGroup(groupVersion, "discovery of " + groupVersion + " failed (HTTP 404): not served"));
                } else {
                    addListable(types, group.getName(), resources);
                }
            } catch (ClusterAccessException e) {
                if (e.code() == 0) {
                    throw e; // the API server itself is gone, not one group
                }
                unavailable.add(new UnavailableGroup(groupVersion, e.getMessage()));
            }
        }
        for (UnavailableGroup u : unavailable) {
            log.warn("Skipping API group {}: {}", u.groupVersion(), u.cause());
        }
        return new Discovery(types, unavailable);
    }

    private static void addListable(List<ResourceType> types, String group, APIResourceList list) {
        if (list == null) {
            return;
        }
        String version = list.getGroupVersion().contains("/")
                ? list.getGroupVersion().substring(list.getGroupVersion().indexOf('/') + 1)
                : list.getGroupVersion();
        for (APIResource r : list.getResources()) {
            boolean subresource = r.getName().contains("/");
            boolean listable = r.getVerbs() != null && r.getVerbs().contains("list");
            if (!subresource && listable) {
                types.add(new ResourceType(group, version, r.getName(), r.getKind(), Boolean.TRUE.equals(r.getNamespaced()),
                        r.getShortNames()));
            }
        }
    }

    /**
     * Lists through fabric8's HTTP client (its authentication, and its retries of 429 and 5xx) but reads the body
     * as a stream ({@link BodyStream}) with {@link ListPageParser}, which keeps each object's bytes instead of binding them and hands each
     * object on as it is read.
     */
    @Override
    public String list(ResourceType type, String namespace, String labelSelector, int limit, String continueToken,
                       Consumer<ListedObject> items) {
        StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceAll("/+$", ""))
                .append(type.group().isEmpty() ? "/api/" + type.version() : "/apis/" + type.group() + "/" + type.version());
        if (type.namespaced() && namespace != null) {
            url.append("/namespaces/").append(namespace);
        }
        url.append('/').append(type.resource()).append("?limit=").append(limit);
        if (continueToken != null) {
            url.append("&continue=").append(URLEncoder.encode(continueToken, StandardCharsets.UTF_8));
        }
        if (labelSelector != null && !labelSelector.isEmpty()) {
            url.append("&labelSelector=").append(URLEncoder.encode(labelSelector, StandardCharsets.UTF_8));
        }
        String what = "list " + type.qualifiedName();
        HttpClient http = client.getHttpClient();
        HttpRequest.Builder builder = http.newHttpRequestBuilder().uri(url.toString()).header("Accept", "application/json");
        Integer timeout = client.getConfiguration().getRequestTimeout();
        if (timeout != null && timeout > 0) {
            builder.timeout(timeout, TimeUnit.MILLISECONDS);
        }
        HttpRequest request = builder.build();
        BodyStream body = new BodyStream();
        HttpResponse<AsyncBody> response;
        try {
            response = http.consumeBytes(request, body).get();
            body.start(response.body());
        } catch (ExecutionException e) {
            throw new ClusterAccessException(what + " failed: cannot reach the API server at " + client.getMasterUrl()
                    + " (" + rootMessage(e) + ")", 0, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterAccessException(what + " interrupted", 0, e);
        }
        if (!response.isSuccessful()) {
            byte[] answer = readAll(body);
            if (response.code() == HttpURLConnection.HTTP_GONE) {
                Status status = status(answer);
                String token = status == null || status.getMetadata() == null ? null : status.getMetadata().getContinue();
                throw new ContinueExpiredException(what + ": continue token expired (410 Gone)", token, null);
            }
            throw new ClusterAccessException(what + " failed (HTTP " + response.code() + "): " + statusMessage(answer), response.code(), null);
        }
        try {
            return ListPageParser.parse(body, type, items);
        } catch (UncheckedIOException e) {
            throw new ClusterAccessException(what + " failed while reading the answer from " + client.getMasterUrl()
                    + " (" + rootMessage(e) + ")", 0, e);
        }
    }

    private static byte[] readAll(InputStream body) {
        try (InputStream in = body) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The message of the Status object a failed request answers with, else the body as text. */
    private static String statusMessage(byte[] body) {
        if (body.length == 0) {
            return "no message";
        }
        Status status = status(body);
        if (status != null && status.getMessage() != null) {
            return status.getMessage();
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** The Status object a failed request answers with, or null when the body is not one. */
    private static Status status(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.mapper().readValue(body, Status.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public Optional<GenericKubernetesResource> get(ResourceType type, String namespace, String name) {
        var resources = client.genericKubernetesResources(type.context());
        return Optional.ofNullable(call("get " + type.qualifiedName() + " " + describe(namespace, name),
                () -> type.namespaced() ? resources.inNamespace(namespace).withName(name).get() : resources.withName(name).get()));
    }

    /** fabric8's {@code waitUntilCondition}: an informer on the one object, a list then a watch. */
    @Override
    public Optional<GenericKubernetesResource> await(ResourceType type, String namespace, String name,
                                                     Predicate<GenericKubernetesResource> condition, Duration timeout) {
        var resources = client.genericKubernetesResources(type.context());
        var one = type.namespaced() ? resources.inNamespace(namespace).withName(name) : resources.withName(name);
        try {
            return Optional.ofNullable(call("watch " + type.qualifiedName() + " " + describe(namespace, name),
                    () -> one.waitUntilCondition(condition::test, timeout.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (ClusterAccessException e) {
            if (e.getCause() instanceof KubernetesClientTimeoutException) {
                throw new AwaitTimeoutException(type.qualifiedName() + " " + describe(namespace, name)
                        + " did not reach the awaited state within " + timeout, e.getCause());
            }
            throw e;
        }
    }

    @Override
    public GenericKubernetesResource create(ResourceType type, GenericKubernetesResource object) {
        var resources = client.genericKubernetesResources(type.context());
        String namespace = object.getMetadata().getNamespace();
        return call("create " + type.qualifiedName() + " " + describe(namespace, object.getMetadata().getName()),
                () -> type.namespaced() ? resources.inNamespace(namespace).resource(object).create() : resources.resource(object).create());
    }

    @Override
    public GenericKubernetesResource mergePatch(ResourceType type, String namespace, String name, String patch) {
        var resources = client.genericKubernetesResources(type.context());
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        return call("patch " + type.qualifiedName() + " " + describe(namespace, name),
                () -> type.namespaced() ? resources.inNamespace(namespace).withName(name).patch(merge, patch)
                        : resources.withName(name).patch(merge, patch));
    }

    @Override
    public void delete(ResourceType type, String namespace, String name) {
        var resources = client.genericKubernetesResources(type.context());
        call("delete " + type.qualifiedName() + " " + describe(namespace, name),
                () -> type.namespaced() ? resources.inNamespace(namespace).withName(name).delete() : resources.withName(name).delete());
    }

    /** fabric8's exec over WebSocket; the exit code comes from the server's final Status. */
    @Override
    public ExecResult exec(String namespace, String pod, String container, List<String> command, Duration timeout) {
        TailStream out = new TailStream(ExecResult.TAIL);
        TailStream err = new TailStream(ExecResult.TAIL);
        long start = System.nanoTime();
        String what = "exec " + String.join(" ", command) + " in " + namespace + "/" + pod + "/" + container;
        try (ExecWatch watch = upgrade(what, () -> client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                .writingOutput(out).writingError(err).exec(command.toArray(String[]::new)))) {
            Integer exit;
            boolean timedOut = false;
            try {
                exit = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                exit = -1;
                timedOut = true;
            } catch (ExecutionException e) {
                throw new ClusterAccessException(what + " failed: " + rootMessage(e), 0, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterAccessException(what + " was interrupted", 0, e);
            }
            return new ExecResult(exit == null ? -1 : exit, out.text(), err.text(), timedOut,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static final Pattern HANDSHAKE_STATUS = Pattern.compile("Unexpected HTTP response status code (\\d+)");

    /**
     * A WebSocket upgrade the server refuses reaches the JDK client as a failed handshake with only the status code
     * (the Status body is lost), which {@link #call} would read as an unreachable server: name the code instead.
     */
    private <T> T upgrade(String what, Supplier<T> call) {
        try {
            return call(what, call);
        } catch (ClusterAccessException e) {
            Matcher status = HANDSHAKE_STATUS.matcher(String.valueOf(e.getMessage()));
            if (e.code() <= 0 && status.find()) {
                int code = Integer.parseInt(status.group(1));
                throw new ClusterAccessException(what + " refused by the API server (HTTP " + code + ")"
                        + (code == 403 ? ": the account may not create pods/exec there" : ""), code, e);
            }
            throw e;
        }
    }

    @Override
    public boolean allowed(Access access) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                .withVerb(access.verb()).withGroup(access.group()).withResource(access.resource())
                .withNamespace(access.namespace()).endResourceAttributes().endSpec().build();
        SelfSubjectAccessReview answer = call("review access to " + access,
                () -> client.authorization().v1().selfSubjectAccessReview().create(review));
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }

    private static String describe(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_GONE) {
                throw new ContinueExpiredException(what + ": continue token expired (410 Gone)",
                        e.getStatus() == null || e.getStatus().getMetadata() == null ? null : e.getStatus().getMetadata().getContinue(), e);
            }
            if (e.getCode() <= 0) {
                throw new ClusterAccessException(what + " failed: cannot reach the API server at "
                        + client.getMasterUrl() + " (" + rootMessage(e) + ")", 0, e);
            }
            String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage() : rootMessage(e);
            throw new ClusterAccessException(what + " failed (HTTP " + e.getCode() + "): " + reason, e.getCode(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
