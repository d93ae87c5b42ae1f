package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import jobs.support.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a restored PV's node affinity and zone labels follow the zone of its new disk. */
class PvZoneTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a CSI PV in zone 1 moved to zone 2",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-1']}]}]}}}}",
                        "westeurope-2",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-2']}]}]}}}}"),
                Arguments.of("other requirements are kept, in every term",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'agentpool','operator':'In','values':['data']},{'key':'topology.kubernetes.io/zone','operator':'In','values':['westeurope-1']}]},{'matchExpressions':[{'key':'agentpool','operator':'In','values':['spare']}]}]}}}}",
                        "westeurope-3",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'agentpool','operator':'In','values':['data']},{'key':'topology.kubernetes.io/zone','operator':'In','values':['westeurope-3']}]},{'matchExpressions':[{'key':'agentpool','operator':'In','values':['spare']},{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-3']}]}]}}}}"),
                Arguments.of("a PV without affinity gets one for a zonal disk",
                        "{'spec':{}}",
                        "westeurope-1",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-1']}]}]}}}}"),
                Arguments.of("a disk in no zone: zone requirements go, and a term left empty with them",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-1']}]}]}}}}",
                        null,
                        "{'spec':{}}"),
                Arguments.of("a disk in no zone keeps a term's other requirements",
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'agentpool','operator':'In','values':['data']},{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-1']}]}]}}}}",
                        null,
                        "{'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'agentpool','operator':'In','values':['data']}]}]}}}}"),
                Arguments.of("zone labels of in-tree PVs follow the disk",
                        "{'metadata':{'labels':{'topology.kubernetes.io/zone':'westeurope-1','failure-domain.beta.kubernetes.io/zone':'westeurope-1','app':'db'}},'spec':{}}",
                        "westeurope-2",
                        "{'metadata':{'labels':{'topology.kubernetes.io/zone':'westeurope-2','failure-domain.beta.kubernetes.io/zone':'westeurope-2','app':'db'}},'spec':{'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'topology.disk.csi.azure.com/zone','operator':'In','values':['westeurope-2']}]}]}}}}"),
                Arguments.of("and go for a disk in no zone",
                        "{'metadata':{'labels':{'topology.kubernetes.io/zone':'westeurope-1','app':'db'}},'spec':{}}",
                        null,
                        "{'metadata':{'labels':{'app':'db'}},'spec':{}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePvNamesTheZoneOfItsDisk(String description, String pv, String zone, String expected) throws Exception {
        ObjectNode object = (ObjectNode) Json.mapper().readTree(pv.replace('\'', '"'));

        VolumeMaterializer.placeInZone(object, zone, VolumeMaterializer.ZONE_KEYS.get(0));

        assertThat(object).isEqualTo(Json.mapper().readTree(expected.replace('\'', '"')));
    }
}
