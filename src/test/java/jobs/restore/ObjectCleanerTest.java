package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectCleanerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("server-set metadata, owners and status go",
                        "{'kind':'ConfigMap','metadata':{'name':'a','namespace':'n','uid':'u','resourceVersion':'7','generation':2,"
                                + "'creationTimestamp':'t','managedFields':[{}],'ownerReferences':[{}],'generateName':'a-','labels':{'x':'y'}},"
                                + "'status':{'s':1},'data':{'k':'v'}}",
                        "{'kind':'ConfigMap','metadata':{'name':'a','namespace':'n','labels':{'x':'y'}},'data':{'k':'v'}}"),
                Arguments.of("service loses its cluster IPs and node ports",
                        "{'kind':'Service','metadata':{'name':'s'},'spec':{'clusterIP':'10.0.0.1','clusterIPs':['10.0.0.1'],"
                                + "'healthCheckNodePort':3,'ports':[{'port':80,'nodePort':30080}]}}",
                        "{'kind':'Service','metadata':{'name':'s'},'spec':{'ports':[{'port':80}]}}"),
                Arguments.of("headless service keeps clusterIP None",
                        "{'kind':'Service','metadata':{'name':'s'},'spec':{'clusterIP':'None','clusterIPs':['None']}}",
                        "{'kind':'Service','metadata':{'name':'s'},'spec':{'clusterIP':'None','clusterIPs':['None']}}"),
                Arguments.of("PV loses claim uid and bind annotations",
                        "{'kind':'PersistentVolume','metadata':{'name':'p','annotations':{'pv.kubernetes.io/bound-by-controller':'yes'}},"
                                + "'spec':{'claimRef':{'namespace':'n','name':'c','uid':'u','resourceVersion':'1'}}}",
                        "{'kind':'PersistentVolume','metadata':{'name':'p'},'spec':{'claimRef':{'namespace':'n','name':'c'}}}"),
                Arguments.of("PVC loses provisioner and node annotations",
                        "{'kind':'PersistentVolumeClaim','metadata':{'name':'c','annotations':{'volume.kubernetes.io/selected-node':'n1',"
                                + "'keep':'me'}},'spec':{'volumeName':'p'}}",
                        "{'kind':'PersistentVolumeClaim','metadata':{'name':'c','annotations':{'keep':'me'}},'spec':{'volumeName':'p'}}"),
                Arguments.of("pod loses its node and priority",
                        "{'kind':'Pod','metadata':{'name':'p'},'spec':{'nodeName':'n1','priority':0,'containers':[]}}",
                        "{'kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[]}}"),
                Arguments.of("job loses its generated selector and controller-uid labels",
                        "{'kind':'Job','metadata':{'name':'j'},'spec':{'selector':{'matchLabels':{'controller-uid':'u'}},"
                                + "'template':{'metadata':{'labels':{'controller-uid':'u','job-name':'j'}}}}}",
                        "{'kind':'Job','metadata':{'name':'j'},'spec':{'template':{'metadata':{'labels':{'job-name':'j'}}}}}"),
                Arguments.of("service-account token secret loses its token",
                        "{'kind':'Secret','type':'kubernetes.io/service-account-token','metadata':{'name':'t'},"
                                + "'data':{'token':'x','ca.crt':'y','namespace':'bg=='}}",
                        "{'kind':'Secret','type':'kubernetes.io/service-account-token','metadata':{'name':'t'},'data':{'namespace':'bg=='}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleansWhatMustNotBeReplayed(String title, String backedUp, String expected) throws Exception {
        ObjectNode object = (ObjectNode) JSON.readTree(backedUp.replace('\'', '"'));
        JsonNode wanted = JSON.readTree(expected.replace('\'', '"'));

        assertThat(ObjectCleaner.clean(object)).isEqualTo(wanted);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aCleanedObjectIsHeldByTheOriginal(String title, String backedUp, String expected) throws Exception {
        ObjectNode original = (ObjectNode) JSON.readTree(backedUp.replace('\'', '"'));
        assertThat(ObjectCleaner.holds(original, ObjectCleaner.clean(original.deepCopy()))).isTrue();
        ObjectNode changed = ObjectCleaner.clean(original.deepCopy());
        changed.with("metadata").put("name", "other");
        assertThat(ObjectCleaner.holds(original, changed)).isFalse();
    }
}
