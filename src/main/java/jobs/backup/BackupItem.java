package jobs.backup;

import jobs.kube.ListedObject;
import jobs.kube.ResourceType;

/** One object on its way from the API server to a chunk blob. */
record BackupItem(ResourceType type, ListedObject object) {
}
