package jobs.diff;

import java.util.Comparator;

/**
 * Which object: its type (plural.group), namespace (empty for cluster-scoped) and name; ordered that way.
 */
public record ObjectKey(String type, String namespace, String name) implements Comparable<ObjectKey> {

    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::type)
            .thenComparing(ObjectKey::namespace).thenComparing(ObjectKey::name);

    public ObjectKey {
        namespace = namespace == null ? "" : namespace;
    }

    /** "shop/app-config", or the name alone for a cluster-scoped object. */
    public String path() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public int compareTo(ObjectKey other) {
        return ORDER.compare(this, other);
    }
}
