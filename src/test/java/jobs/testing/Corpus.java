package jobs.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Real manifests from kubernetes/examples (Apache-2.0, in {@code ../shared/corpus}) loaded into the API server
 * double: each example folder becomes a namespace, so same-named objects of different examples coexist.
 */
public final class Corpus {

    private Corpus() {
    }

    public static Path root() {
        Path root = Path.of(System.getProperty("kbackup.corpus", "../shared/corpus/kubernetes-examples")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("the manifest corpus is missing at " + root
                    + " (it lies beside the clone; set -Dkbackup.corpus=<folder> to point elsewhere)");
        }
        return root;
    }

    /** Creates every object the double serves at its preferred version; returns what was created, as the server has it. */
    public static List<HasMetadata> load(ApiServer api) {
        List<HasMetadata> created = new ArrayList<>();
        Set<String> namespaces = new HashSet<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root())) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            List<HasMetadata> items;
            try (InputStream in = Files.newInputStream(file)) {
                items = api.client().load(in).items();
            } catch (IOException | RuntimeException e) {
                continue;
            }
            String folderNamespace = root().relativize(file.getParent()).toString().toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
            for (HasMetadata item : items) {
                if (item == null || !ApiServer.servesPreferred(item.getApiVersion(), item.getKind())) {
                    continue;
                }
                boolean namespaced = !List.of("Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
                        "ClusterRoleBinding").contains(item.getKind());
                if (namespaced) {
                    String ns = item.getMetadata().getNamespace() == null ? folderNamespace : item.getMetadata().getNamespace();
                    item.getMetadata().setNamespace(ns);
                    if (namespaces.add(ns)) {
                        createQuietly(api, new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build(), created);
                    }
                } else if (item.getKind().equals("Namespace") && !namespaces.add(item.getMetadata().getName())) {
                    continue;
                }
                createQuietly(api, item, created);
            }
        }
        return created;
    }

    private static void createQuietly(ApiServer api, HasMetadata item, List<HasMetadata> created) {
        try {
            created.add(api.client().resource(item).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }
}
