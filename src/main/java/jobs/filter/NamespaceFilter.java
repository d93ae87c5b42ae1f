package jobs.filter;

import java.util.List;
import java.util.Set;
import jobs.support.InvalidInputException;

/**
 * Namespace include/exclude globs. The system namespaces are left out unless a literal include names them, as
 * AKS Backup does: backing up kube-system into another cluster does more harm than good.
 */
public final class NamespaceFilter {

    static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");

    private final List<Glob> includes;
    private final List<Glob> excludes;

    private NamespaceFilter(List<Glob> includes, List<Glob> excludes) {
        this.includes = includes;
        this.excludes = excludes;
    }

    public static NamespaceFilter of(List<String> includes, List<String> excludes) {
        return new NamespaceFilter(compile("--include-namespaces", includes), compile("--exclude-namespaces", excludes));
    }

    private static List<Glob> compile(String flag, List<String> patterns) {
        return patterns.stream().map(p -> {
            try {
                return Glob.compile(p);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(flag + ": bad namespace pattern '" + p + "': " + e.getMessage());
            }
        }).toList();
    }

    /**
     * True when no include narrows the selection to some namespaces: a whole-cluster backup, whose cluster-scoped
     * objects come along in {@code auto}. Unlike Velero, excludes alone do not narrow it: "everything but
     * {@code scratch-*}" is still a backup of the cluster, and losing its ClusterRoles, StorageClasses and CRDs to an
     * exclude would surprise whoever restores it.
     */
    public boolean selectsAll() {
        return includes.isEmpty() || includes.stream().anyMatch(g -> g.toString().equals("*"));
    }

    public boolean matches(String namespace) {
        if (excludes.stream().anyMatch(g -> g.matches(namespace))) {
            return false;
        }
        if (SYSTEM_NAMESPACES.contains(namespace)) {
            return includes.stream().anyMatch(g -> g.isLiteral() && g.matches(namespace));
        }
        return includes.isEmpty() || includes.stream().anyMatch(g -> g.matches(namespace));
    }

    /** The exact namespaces asked for, when every include is a literal name; empty when globs are used. */
    public List<String> literalIncludes() {
        if (includes.isEmpty() || !includes.stream().allMatch(Glob::isLiteral)) {
            return List.of();
        }
        return includes.stream().map(Glob::toString).filter(this::matches).toList();
    }
}
