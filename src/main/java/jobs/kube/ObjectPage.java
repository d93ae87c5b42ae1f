package jobs.kube;

import java.util.List;

/**
 * One page of a list call.
 *
 * @param items         the objects, in the server's key order
 * @param continueToken token for the next page, null on the last page
 */
public record ObjectPage(List<ListedObject> items, String continueToken) {

    public boolean isLast() {
        return continueToken == null || continueToken.isEmpty();
    }
}
