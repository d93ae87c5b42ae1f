package jobs.kube;

import io.fabric8.kubernetes.api.model.NamedContext;
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
        Config config = kube.kubeconfig() == null ? Config.autoConfigure(kube.context()) : fromFile(kube);
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
