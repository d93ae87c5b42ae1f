package jobs.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * One object of a list page: what a backup decides on (its metadata, and the volume a claim is bound to), and the
 * object itself as the API server sent it, on one line, with the apiVersion and kind a list item leaves off.
 *
 * @param metadata   the object's metadata
 * @param volumeName {@code spec.volumeName} where the object has one (a bound claim), else null
 * @param json       the whole object, UTF-8 JSON without line breaks
 */
public record ListedObject(ObjectMeta metadata, String volumeName, byte[] json) {

    /** The object's position in a list; see {@link ObjectKeys#listKey(ObjectMeta)}. */
    public String listKey() {
        return ObjectKeys.listKey(metadata);
    }
}
