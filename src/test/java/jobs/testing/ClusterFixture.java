package jobs.testing;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.Map;

/**
 * A small but realistic cluster: two application namespaces with workloads, config, secrets, RBAC, claims bound
 * to volumes and custom resources; kube-system; cluster-scoped volumes, classes, roles, CRDs and a node; and the
 * objects a backup must leave out (exclusion labels, events).
 */
public final class ClusterFixture {

    private ClusterFixture() {
    }

    public static void populate(ApiServer api) {
        for (String ns : new String[] {"shop", "billing", "kube-system"}) {
            api.create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        }
        api.create(crd("widgets", "Widget"), crd("gadgets", "Gadget"));
        api.create(
                new ConfigMapBuilder().withNewMetadata().withName("app-config").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "tier", "web")).endMetadata().addToData("mode", "live").build(),
                new SecretBuilder().withNewMetadata().withName("db-pass").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "tier", "db")).endMetadata().addToStringData("password", "s3cret").build(),
                new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "tier", "web")).endMetadata()
                        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                        .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.27").endContainer().endSpec()
                        .endTemplate().endSpec().build(),
                new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "tier", "web")).endMetadata()
                        .withNewSpec().addToSelector("app", "shop").addNewPort().withPort(80).endPort().endSpec().build(),
                new ServiceAccountBuilder().withNewMetadata().withName("shop-sa").withNamespace("shop")
                        .withLabels(Map.of("app", "shop")).endMetadata().build(),
                new RoleBuilder().withNewMetadata().withName("reader").withNamespace("shop").withLabels(Map.of("app", "shop"))
                        .endMetadata().addNewRule().withApiGroups("").withResources("configmaps").withVerbs("get").endRule().build(),
                new RoleBindingBuilder().withNewMetadata().withName("reader").withNamespace("shop").withLabels(Map.of("app", "shop"))
                        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                        .withName("reader").endRoleRef().addNewSubject().withKind("ServiceAccount").withName("shop-sa")
                        .withNamespace("shop").endSubject().build(),
                pvc("shop", "data", "pv-data", "shop"),
                pv("pv-data", "shop", "data"),
                widget("shop", "blue", "shop"),
                new ConfigMapBuilder().withNewMetadata().withName("scratch").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "kbackup.io/exclude-from-backup", "true")).endMetadata().build(),
                new ConfigMapBuilder().withNewMetadata().withName("velero-scratch").withNamespace("shop")
                        .withLabels(Map.of("app", "shop", "velero.io/exclude-from-backup", "true")).endMetadata().build(),
                new ConfigMapBuilder().withNewMetadata().withName("leaving").withNamespace("shop")
                        .withLabels(Map.of("app", "shop")).withFinalizers("example.com/hold").endMetadata().build(),
                new EventBuilder().withNewMetadata().withName("web.1").withNamespace("shop").endMetadata()
                        .withReason("Scheduled").withNewInvolvedObject().withKind("Pod").withName("web-1").endInvolvedObject().build(),
                new ConfigMapBuilder().withNewMetadata().withName("billing-config").withNamespace("billing")
                        .withLabels(Map.of("app", "billing")).endMetadata().addToData("currency", "EUR").build(),
                pvc("billing", "invoices", "pv-invoices", "billing"),
                pv("pv-invoices", "billing", "invoices"),
                pv("pv-released", null, null),
                new ConfigMapBuilder().withNewMetadata().withName("coredns").withNamespace("kube-system").endMetadata().build(),
                new StorageClassBuilder().withNewMetadata().withName("fast").endMetadata().withProvisioner("disk.csi.azure.com").build(),
                new ClusterRoleBuilder().withNewMetadata().withName("shop-reader").withLabels(Map.of("app", "shop")).endMetadata()
                        .addNewRule().withApiGroups("").withResources("pods").withVerbs("get").endRule().build(),
                new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build());
        // What a Deployment's controllers made: restoring these would duplicate the pods the Deployment recreates.
        var deployment = api.client().apps().deployments().inNamespace("shop").withName("web").get();
        var replicaSet = api.client().apps().replicaSets().inNamespace("shop").resource(
                new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder().withNewMetadata().withName("web-5d8f").withNamespace("shop")
                        .addToLabels("app", "shop").addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("web")
                        .withUid(deployment.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "shop").endSelector().endSpec()
                        .build()).create();
        api.create(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("web-5d8f-abcde").withNamespace("shop")
                        .addToLabels("app", "shop").addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-5d8f")
                        .withUid(replicaSet.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                        .withNewSpec().withNodeName("node-1").addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
                        .endSpec().withNewStatus().withPhase("Running").endStatus().build(),
                new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName("migrate").withNamespace("shop")
                        .addToLabels("app", "shop").endMetadata().withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer()
                        .withName("m").withImage("busybox").endContainer().endSpec().endTemplate().endSpec()
                        .withNewStatus().addNewCondition().withType("Complete").withStatus("True").endCondition().endStatus().build());
        // Deleted but held by its finalizer: the server keeps it with a deletionTimestamp, and a backup skips it.
        api.client().configMaps().inNamespace("shop").withName("leaving").delete();
        var leaving = api.client().configMaps().inNamespace("shop").withName("leaving").get();
        if (leaving == null || leaving.getMetadata().getDeletionTimestamp() == null) {
            throw new IllegalStateException("the API server double should keep a finalized object while it is deleted");
        }
    }

    /** A namespaced CRD of group example.com, version v1, that keeps any fields. */
    public static HasMetadata crd(String plural, String kind) {
        return new CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + ".example.com").endMetadata()
                .withNewSpec().withGroup("example.com").withScope("Namespaced")
                .withNewNames().withPlural(plural).withKind(kind).withSingular(kind.toLowerCase()).endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
    }

    private static HasMetadata widget(String ns, String name, String app) {
        return new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                .withNewMetadata().withName(name).withNamespace(ns).withLabels(Map.of("app", app)).endMetadata()
                .addToAdditionalProperties("spec", Map.of("color", name)).build();
    }

    private static HasMetadata pvc(String ns, String name, String volume, String app) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(Map.of("app", app)).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("fast").withVolumeName(volume)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build();
    }

    private static HasMetadata pv(String name, String claimNamespace, String claim) {
        PersistentVolumeBuilder pv = new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                .withStorageClassName("fast")
                .withNewCsi().withDriver("disk.csi.azure.com")
                .withVolumeHandle("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/disks/" + name)
                .endCsi().endSpec();
        if (claim != null) {
            pv.editSpec().withNewClaimRef().withNamespace(claimNamespace).withName(claim).endClaimRef().endSpec();
        }
        return pv.build();
    }
}
