package jobs.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The shipped manifests, applied to the API double as {@code kubectl apply -f} would (namespaces first). */
public final class Manifests {

    private Manifests() {
    }

    /** Creates every object of the files; one two files both define (a shared Secret) is created once. */
    public static void apply(KubernetesClient client, String... files) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (String file : files) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                objects.addAll(client.load(in).items());
            }
        }
        objects.sort(Comparator.comparing((HasMetadata o) -> !o.getKind().equals("Namespace")));
        for (HasMetadata object : objects) {
            if (client.resource(object).get() == null) {
                client.resource(object).create();
            }
        }
    }
}
