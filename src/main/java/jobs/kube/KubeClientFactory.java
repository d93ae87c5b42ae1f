package jobs.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jobs.config.KbackupProperties;

/** Builds the client from the standard kubeconfig resolution: KUBECONFIG, ~/.kube/config, then in-cluster. */
public final class KubeClientFactory {

    private KubeClientFactory() {
    }

    public static KubernetesClient create(KbackupProperties.Kube kube) {
        Config config = Config.autoConfigure(kube.context());
        config.setRequestRetryBackoffLimit(kube.requestRetries());
        config.setRequestRetryBackoffInterval((int) kube.retryInterval().toMillis());
        config.setRequestTimeout((int) kube.requestTimeout().toMillis());
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
