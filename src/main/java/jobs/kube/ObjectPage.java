package jobs.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/**
 * One page of a list call.
 *
 * @param items         the objects, in the server's key order
 * @param continueToken token for the next page, null on the last page
 */
public record ObjectPage(List<GenericKubernetesResource> items, String continueToken) {

    public boolean isLast() {
        return continueToken == null || continueToken.isEmpty();
    }
}
