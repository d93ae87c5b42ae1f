package jobs.velero;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jobs.store.Manifest.VolumeRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Velero's volume files, in each shape Velero writes them, as kbackup volume records: one row per case. */
class VeleroVolumesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARM = "/subscriptions/s/resourceGroups/snaps/providers/Microsoft.Compute/snapshots/velero-1";
    private static final Map<String, ItemsRead.BoundVolume> PVS = Map.of(
            "pv-a", new ItemsRead.BoundVolume("shop", "data", "disk.csi.azure.com"));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("native snapshot in the volume info",
                        json("[{'pvName':'pv-a','pvcName':'data','pvcNamespace':'shop','backupMethod':'NativeSnapshot','result':'succeeded',"
                                + "'nativeSnapshotInfo':{'snapshotHandle':'" + ARM + "','volumeType':'StandardSSD_ZRS','volumeAZ':'northeurope-1','Phase':'Completed'}}]"),
                        null, null, null, "azure-disk Completed " + ARM + " zone=1,region=northeurope,sku=StandardSSD_ZRS"),
                Arguments.of("CSI snapshot in the volume info",
                        json("[{'pvName':'pv-a','pvcName':'data','pvcNamespace':'shop','backupMethod':'CSISnapshot','result':'succeeded',"
                                + "'csiSnapshotInfo':{'snapshotHandle':'handle-1','driver':'disk.csi.azure.com','vscName':'snapcontent-1','size':17179869184}}]"),
                        null, null, null, "csi Completed handle-1 volumeSnapshotContent=snapcontent-1,driver=disk.csi.azure.com,capacity=17179869184"),
                Arguments.of("CSI snapshot moved by the data mover",
                        json("[{'pvName':'pv-a','backupMethod':'CSISnapshot','snapshotDataMoved':true,"
                                + "'snapshotDataMovementInfo':{'uploaderType':'kopia'}}]"),
                        null, null, null, "none Skipped moved by Velero's data mover (kopia)"),
                Arguments.of("file-system backup",
                        json("[{'pvName':'pv-a','backupMethod':'PodVolumeBackup','pvbInfo':{'uploaderType':'restic'}}]"),
                        null, null, null, "none Skipped file-system backup (restic)"),
                Arguments.of("skipped by Velero",
                        json("[{'pvName':'pv-a','skipped':true,'skippedReason':'opted out by resource policy'}]"),
                        null, null, null, "none Skipped Velero skipped it: opted out by resource policy"),
                Arguments.of("native snapshot of another cloud",
                        null, json("[{'spec':{'PersistentVolumeName':'pv-a','volumeType':'gp3','volumeAZ':'eu-west-1a'},"
                                + "'status':{'providerSnapshotID':'snap-0abc','phase':'Completed'}}]"), null, null,
                        "none Skipped a native snapshot of another cloud than Azure ('snap-0abc')"),
                Arguments.of("failed native snapshot, before Velero 1.13",
                        null, json("[{'spec':{'PersistentVolumeName':'pv-a'},'status':{'providerSnapshotID':'" + ARM + "','phase':'Failed'}}]"),
                        null, null, "azure-disk Failed Velero's native snapshot failed"),
                Arguments.of("CSI snapshot, before Velero 1.13",
                        null, null,
                        json("[{'metadata':{'name':'velero-data-x','namespace':'shop'},'spec':{'source':{'persistentVolumeClaimName':'data'}},"
                                + "'status':{'boundVolumeSnapshotContentName':'snapcontent-2','restoreSize':'16Gi'}}]"),
                        json("[{'metadata':{'name':'snapcontent-2'},'spec':{'driver':'disk.csi.azure.com','volumeSnapshotClassName':'csi-azuredisk-vsc'},"
                                + "'status':{'snapshotHandle':'handle-2'}}]"),
                        "csi Completed handle-2 volumeSnapshotContent=snapcontent-2,volumeSnapshot=shop/velero-data-x,"
                                + "driver=disk.csi.azure.com,volumeSnapshotClass=csi-azuredisk-vsc,capacity=16Gi"),
                Arguments.of("no record of the volume at all",
                        null, null, null, null, "none Skipped the Velero backup holds no snapshot of it"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachShapeBecomesTheRecordARestoreCanUse(String what, JsonNode info, JsonNode nativeSnapshots, JsonNode csi,
                                                 JsonNode contents, String expected) {
        List<VolumeRecord> records = VeleroVolumes.of(PVS, info, nativeSnapshots, csi, contents);

        assertThat(records).hasSize(1);
        VolumeRecord record = records.get(0);
        assertThat(record.persistentVolume() + " " + record.namespace() + "/" + record.claim()).isEqualTo("pv-a shop/data");
        String described = record.provider() + " " + record.phase() + " "
                + (record.isCompleted() ? record.snapshotId() + " " + String.join(",", record.details().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList()) : record.message());
        if (record.isCompleted()) {
            String[] parts = expected.split(" ", 4);
            assertThat(record.provider() + " " + record.phase() + " " + record.snapshotId()).isEqualTo(parts[0] + " " + parts[1] + " " + parts[2]);
            Map<String, String> details = new java.util.TreeMap<>();
            for (String pair : parts[3].split(",")) {
                details.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            assertThat(record.details()).as(described).containsAllEntriesOf(details);
        } else {
            assertThat(described).startsWith(expected);
        }
    }
}
