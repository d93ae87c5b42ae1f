package jobs.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import jobs.kube.Fabric8Cluster;
import jobs.kube.ResourceType;

/**
 * The floor a backup is measured against: a plain fabric8 client that only lists, in pages of {@code limit}, every
 * listable type across all namespaces, as {@code kubectl get --chunk-size} would, and drops the pages. Run in a
 * JVM of its own with the backup's heap, so both start cold; discovery is done before the clock starts, as the
 * backup's is (its own step). Prints {@code objects seconds}.
 */
final class ListFloor {

    private ListFloor() {
    }

    public static void main(String[] args) {
        String server = args[0];
        long limit = Long.parseLong(args[1]);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(server).withOauthToken("test-token").build()).build()) {
            List<ResourceType> types = new Fabric8Cluster(client).discover().types();
            long start = System.nanoTime();
            long objects = 0;
            for (ResourceType type : types) {
                String token = null;
                do {
                    var options = new ListOptionsBuilder().withLimit(limit).withContinue(token).build();
                    var resources = client.genericKubernetesResources(type.context());
                    GenericKubernetesResourceList page = type.namespaced() ? resources.inAnyNamespace().list(options)
                            : resources.list(options);
                    objects += page.getItems().size();
                    token = page.getMetadata().getContinue();
                } while (token != null && !token.isEmpty());
            }
            System.out.println(objects + " " + (System.nanoTime() - start) / 1e9);
        }
    }
}
