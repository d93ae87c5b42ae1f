package jobs.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jobs.kube.ResourceType;
import jobs.store.Manifest.VolumeRecord;

/**
 * What to do with one object in the target cluster: apply {@code desired}, or, when {@code outcome} is already
 * decided (skipped by a rule, failed while preparing), just report it.
 *
 * @param type      resource type
 * @param namespace target namespace, null for cluster-scoped
 * @param name      object name
 * @param desired   the object to apply, cleaned, mapped, modified and labelled; null when decided
 * @param outcome   a decided outcome, or null to apply
 * @param reason    why the outcome, or a note for the report
 * @param volume    a snapshot whose data must be made available (a disk, a VolumeSnapshot) right before this object
 *                  is applied and that the object is then pointed at; null for none
 * @param hooks     the post-restore hooks its pods run once applied, null for none
 */
record RestoreAction(ResourceType type, String namespace, String name, ObjectNode desired, String outcome, String reason,
                     VolumeRecord volume, HookTarget hooks) {

    static RestoreAction decided(ResourceType type, String namespace, String name, String outcome, String reason) {
        return new RestoreAction(type, namespace, name, null, outcome, reason, null, null);
    }

    static RestoreAction apply(ResourceType type, ObjectNode desired, String note, VolumeRecord volume, HookTarget hooks) {
        return new RestoreAction(type, desired.path("metadata").path("namespace").asText(null),
                desired.path("metadata").path("name").asText(), desired, null, note, volume, hooks);
    }
}
