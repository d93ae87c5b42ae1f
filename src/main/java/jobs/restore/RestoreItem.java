package jobs.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jobs.kube.ResourceType;

/** One backed-up object on its way to the target cluster. */
record RestoreItem(ResourceType type, ObjectNode object) {
}
