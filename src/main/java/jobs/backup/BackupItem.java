package jobs.backup;

import jobs.kube.ListedObject;
import jobs.kube.ResourceType;

/** One object on its way from its source (the API server, an imported archive) to a pack. */
public record BackupItem(ResourceType type, ListedObject object) {
}
