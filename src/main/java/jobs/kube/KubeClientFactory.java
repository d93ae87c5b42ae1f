package jobs.kube;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import jobs.config.KbackupProperties;
import jobs.support.InvalidInputException;

/**
 * Builds the client from the standard kubeconfig resolution (KUBECONFIG, ~/.kube/config, then the in-cluster
 * service account), or from {@code kbackup.kube.kubeconfig} when set.
 */
public final class KubeClientFactory {

    private KubeClientFactory() {
    }

    public static KubernetesClient create(KbackupProperties.Kube kube) {
        Config config = kube.kubeconfigSecret() != null && !kube.kubeconfigSecret().isBlank() ? fromSecret(kube)
                : kube.kubeconfig() == null ? Config.autoConfigure(kube.context()) : fromFile(kube);
        if (kube.context() != null && !kube.context().isBlank()) {
            List<NamedContext> contexts = config.getContexts();
            if (contexts == null || contexts.stream().noneMatch(c -> c.getName().equals(kube.context()))) {
                throw new InvalidInputException("kbackup.kube.context: no context named '" + kube.context()
                        + "' in the kubeconfig");
            }
        }
        config.setRequestRetryBackoffLimit(kube.requestRetries());
        config.setRequestRetryBackoffInterval((int) kube.retryInterval().toMillis());
        config.setRequestTimeout((int) kube.requestTimeout().toMillis());
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * The kubeconfig held by a Secret of the hub cluster (reached with {@code kubeconfig}, or the standard
     * resolution): key {@code kubeconfig}, or {@code value} as Cluster API writes them.
     */
    private static Config fromSecret(KbackupProperties.Kube kube) {
        String ref = kube.kubeconfigSecret();
        Config hubConfig = kube.kubeconfig() == null ? Config.autoConfigure(null) : fromFile(new KbackupProperties.Kube(
                kube.kubeconfig(), null, null, kube.pageSize(), kube.requestRetries(), kube.retryInterval(), kube.requestTimeout()));
        String namespace = ref.contains("/") ? ref.substring(0, ref.indexOf('/')) : hubConfig.getNamespace();
        String name = ref.substring(ref.indexOf('/') + 1);
        Secret secret;
        try (KubernetesClient hub = new KubernetesClientBuilder().withConfig(hubConfig).build()) {
            secret = hub.secrets().inNamespace(namespace == null ? "default" : namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new ClusterAccessException("reading Secret " + namespace + "/" + name + " (kbackup.kube.kubeconfig-secret): "
                    + e.getMessage(), e.getCode(), e);
        }
        if (secret == null) {
            throw new InvalidInputException("kubeconfig-secret: no Secret " + namespace + "/" + name);
        }
        String encoded = secret.getData() == null ? null
                : secret.getData().getOrDefault("kubeconfig", secret.getData().get("value"));
        if (encoded == null) {
            throw new InvalidInputException("kubeconfig-secret: Secret " + namespace + "/" + name
                    + " has no key 'kubeconfig' (or 'value')");
        }
        String kubeconfig = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        return Config.fromKubeconfig(kube.context(), kubeconfig, null);
    }

    private static Config fromFile(KbackupProperties.Kube kube) {
        try {
            return Config.fromKubeconfig(kube.context(), Files.readString(kube.kubeconfig()), kube.kubeconfig().toString());
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("kbackup.kube.kubeconfig: no file '" + kube.kubeconfig() + "'");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
