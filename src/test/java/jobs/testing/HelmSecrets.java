package jobs.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Secrets shaped like Helm release records ({@code sh.helm.release.v1.<app>.v1}, type {@code helm.sh/release.v1})
 * whose data is random base64, as incompressible as Helm's gzip+base64 releases: what makes real clusters' Secrets
 * 100 KB to 1 MB each.
 */
public final class HelmSecrets {

    private HelmSecrets() {
    }

    /** Creates {@code namespace} and loads {@code count} Secrets of {@code size} bytes of data into the indexed store. */
    public static void load(ApiServer api, String namespace, int count, int size) {
        api.create(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build());
        ObjectMapper json = new ObjectMapper();
        Random random = new Random(size);
        byte[] raw = new byte[size * 3 / 4];
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            random.nextBytes(raw);
            ObjectNode secret = json.createObjectNode().put("apiVersion", "v1").put("kind", "Secret").put("type", "helm.sh/release.v1");
            secret.putObject("metadata").put("name", String.format("sh.helm.release.v1.app-%05d.v1", i)).put("namespace", namespace)
                    .putObject("labels").put("owner", "helm");
            secret.putObject("data").put("release", Base64.getEncoder().encodeToString(raw));
            batch.add(secret);
            if (batch.size() == 100) {
                api.load("v1", "secrets", namespace, batch);
                batch.clear();
            }
        }
        api.load("v1", "secrets", namespace, batch);
    }
}
