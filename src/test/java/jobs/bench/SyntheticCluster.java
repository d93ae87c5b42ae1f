package jobs.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;

/**
 * A synthetic cluster for the benchmarks: {@code objects} namespaced objects spread over 120 namespaces, in the mix
 * of a busy application cluster (35 % config maps, 20 % secrets, 15 % deployments, 15 % services, 15 % custom
 * resources), each of a realistic size (0.5 to 2 KB of JSON), created through the API server over HTTP.
 */
final class SyntheticCluster {

    static final int NAMESPACES = 120;

    private SyntheticCluster() {
    }

    /** Creates the cluster with 8 client threads; returns the seconds the creates took (all objects). */
    static double seed(ApiServer api, int objects) throws InterruptedException {
        long start = System.nanoTime();
        api.create(ClusterFixture.crd("widgets", "Widget"));
        for (int n = 0; n < NAMESPACES; n++) {
            api.create(new NamespaceBuilder().withNewMetadata().withName(namespace(n)).addToLabels("team", "team-" + n % 7)
                    .endMetadata().build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int i = 0; i < objects; i++) {
            HasMetadata object = object(i);
            pool.submit(() -> {
                try {
                    api.create(object);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        if (failure.get() != null) {
            throw failure.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    static String namespace(int n) {
        return "app-" + n;
    }

    /** Object {@code i}: its kind cycles through the mix in steps of 20, so every namespace holds every kind. */
    static HasMetadata object(int i) {
        String ns = namespace(i % NAMESPACES);
        String app = "app-" + (i / NAMESPACES) % 50;
        Map<String, String> labels = Map.of("app", app, "tier", i % 3 == 0 ? "web" : "backend",
                "app.kubernetes.io/managed-by", "helm");
        int slot = (i / NAMESPACES) % 20;
        String name = app + "-" + i;
        if (slot < 7) {
            return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                    .addToData("application.properties", ("server.port=8080\nlog.level=info\nfeature." + i + "=on\n").repeat(8))
                    .addToData("version", String.valueOf(i)).build();
        }
        if (slot < 11) {
            return new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                    .withType("Opaque").addToData("password", Base64.getEncoder().encodeToString(("pw-" + i).getBytes()))
                    .addToData("tls.key", Base64.getEncoder().encodeToString("k".repeat(300).getBytes())).build();
        }
        if (slot < 14) {
            return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", app).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                    .addNewContainer().withName("main").withImage("registry.example.com/" + app + ":1." + i % 10)
                    .addNewPort().withContainerPort(8080).endPort()
                    .addNewEnv().withName("CONFIG").withValue("/etc/config/application.properties").endEnv()
                    .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi"))
                    .addToLimits("memory", new Quantity("256Mi")).endResources()
                    .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString(8080)).endHttpGet()
                    .endReadinessProbe().endContainer().endSpec().endTemplate().endSpec().build();
        }
        if (slot < 17) {
            return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                    .withNewSpec().addToSelector("app", app).addNewPort().withName("http").withPort(80)
                    .withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
        }
        return new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                .withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .addToAdditionalProperties("spec", Map.of("size", i % 100, "color", "blue", "owner", app)).build();
    }
}
