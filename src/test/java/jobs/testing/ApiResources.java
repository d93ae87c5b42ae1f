package jobs.testing;

import java.util.ArrayList;
import java.util.List;

/** The built-in API resources the test double serves in discovery, as a real 1.3x API server lists them. */
final class ApiResources {

    /**
     * One resource of a group version.
     *
     * @param group      group, empty for core
     * @param version    version
     * @param name       plural, or plural/subresource
     * @param kind       kind
     * @param namespaced namespaced
     * @param listable   whether the list verb is served
     * @param shortNames kubectl short names
     */
    record Entry(String group, String version, String name, String kind, boolean namespaced, boolean listable,
                 List<String> shortNames) {

        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    static final List<Entry> BUILT_IN = new ArrayList<>();

    static {
        core("namespaces", "Namespace", false, "ns");
        core("configmaps", "ConfigMap", true, "cm");
        core("secrets", "Secret", true);
        core("services", "Service", true, "svc");
        core("serviceaccounts", "ServiceAccount", true, "sa");
        core("pods", "Pod", true, "po");
        core("persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc");
        core("persistentvolumes", "PersistentVolume", false, "pv");
        core("nodes", "Node", false, "no");
        core("events", "Event", true, "ev");
        core("endpoints", "Endpoints", true, "ep");
        core("limitranges", "LimitRange", true, "limits");
        core("resourcequotas", "ResourceQuota", true, "quota");
        core("replicationcontrollers", "ReplicationController", true, "rc");
        core("componentstatuses", "ComponentStatus", false, "cs");
        BUILT_IN.add(new Entry("", "v1", "bindings", "Binding", true, false, List.of()));
        BUILT_IN.add(new Entry("", "v1", "pods/log", "Pod", true, false, List.of()));
        BUILT_IN.add(new Entry("", "v1", "pods/status", "Pod", true, false, List.of()));
        add("apps", "v1", "deployments", "Deployment", true, "deploy");
        add("apps", "v1", "statefulsets", "StatefulSet", true, "sts");
        add("apps", "v1", "daemonsets", "DaemonSet", true, "ds");
        add("apps", "v1", "replicasets", "ReplicaSet", true, "rs");
        add("apps", "v1", "controllerrevisions", "ControllerRevision", true);
        add("batch", "v1", "jobs", "Job", true);
        add("batch", "v1", "cronjobs", "CronJob", true, "cj");
        add("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa");
        add("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa");
        add("rbac.authorization.k8s.io", "v1", "roles", "Role", true);
        add("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true);
        add("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false);
        add("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false);
        add("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, "sc");
        add("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false);
        add("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false);
        add("networking.k8s.io", "v1", "ingresses", "Ingress", true, "ing");
        add("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, "netpol");
        add("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb");
        add("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds");
        add("events.k8s.io", "v1", "events", "Event", true, "ev");
        add("coordination.k8s.io", "v1", "leases", "Lease", true);
        add("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot", true, "vs");
        add("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents", "VolumeSnapshotContent", false, "vsc");
        add("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "VolumeSnapshotClass", false, "vsclass");
        BUILT_IN.add(new Entry("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
                false, false, List.of()));
    }

    private ApiResources() {
    }

    private static void core(String name, String kind, boolean namespaced, String... shortNames) {
        add("", "v1", name, kind, namespaced, shortNames);
    }

    private static void add(String group, String version, String name, String kind, boolean namespaced, String... shortNames) {
        BUILT_IN.add(new Entry(group, version, name, kind, namespaced, true, List.of(shortNames)));
    }
}
