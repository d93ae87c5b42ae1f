package jobs.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/** Helpers on object identity shared by the jobs. */
public final class ObjectKeys {

    private ObjectKeys() {
    }

    /**
     * The object's position in a list: {@code namespace/name}, or the name for cluster-scoped objects. The API
     * server lists in this order (the etcd key order), which lets a reader resume after the last key it handed out.
     */
    public static String listKey(GenericKubernetesResource object) {
        return listKey(object.getMetadata());
    }

    /** {@link #listKey(GenericKubernetesResource)} from the metadata alone. */
    public static String listKey(ObjectMeta meta) {
        String ns = meta.getNamespace();
        return ns == null || ns.isEmpty() ? meta.getName() : ns + "/" + meta.getName();
    }
}
