package jobs.backup;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import jobs.kube.ResourceType;

/** One object on its way from the API server to a chunk blob. */
record BackupItem(ResourceType type, GenericKubernetesResource object) {
}
