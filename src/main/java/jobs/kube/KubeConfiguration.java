package jobs.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import jobs.config.KbackupProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Kubernetes client and the cluster port over it; created only when a command needs the cluster. */
@Configuration(proxyBeanMethods = false)
public class KubeConfiguration {

    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesClient(KbackupProperties properties) {
        return KubeClientFactory.create(properties.kube());
    }

    @Bean
    Cluster cluster(KubernetesClient kubernetesClient) {
        return new Fabric8Cluster(kubernetesClient);
    }
}
