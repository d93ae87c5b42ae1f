package jobs.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import jobs.kube.KnownTypes;
import jobs.kube.ResourceType;
import jobs.support.InvalidInputException;
import jobs.support.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Velero's resource modifier format, table-driven from the examples of Velero's documentation (restore resource
 * modifiers: JSON patches, conditional patches, merge and strategic patches, wildcards, label selectors), and the
 * refusals of anything the format does not have.
 */
class ResourceModifiersTest {

    private static final ResourceType PVCS = new ResourceType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, null);
    private static final ResourceType PODS = new ResourceType("", "v1", "pods", "Pod", true, null);
    private static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "deployments", "Deployment", true, null);
    private static final ResourceType WIDGETS = new ResourceType("example.com", "v1", "widgets", "Widget", true, null);

    private static final String PVC = "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'mysql-data','namespace':'foo',"
            + "'labels':{'foo':'bar','test':'yes'}},'spec':{'storageClassName':'premium','accessModes':['ReadWriteOnce']}}";
    private static final String POD = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'my-pod','namespace':'ns1','annotations':{'foo':'x','keep':'y'}},"
            + "'spec':{'containers':[{'name':'nginx','image':'repo1/nginx','ports':[{'containerPort':80}]},{'name':'sidecar','image':'envoy'}],"
            + "'volumes':[{'name':'data','emptyDir':{}}]}}";
    private static final String DEPLOYMENT = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'test-web','namespace':'bar',"
            + "'labels':{'app':'web','tier':'front'}},'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'web','image':'nginx'}]}}}}";

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of("replace a storage class and remove a label (Velero's first example)", PVCS, "foo", PVC, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                             groupResource: persistentvolumeclaims
                             resourceNameRegex: "^mysql.*$"
                             namespaces: [bar, foo]
                             labelSelector:
                                matchLabels:
                                   foo: bar
                          patches:
                          - operation: replace
                            path: "/spec/storageClassName"
                            value: "premium-v2"
                          - operation: remove
                            path: "/metadata/labels/test"
                        """, "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'mysql-data','namespace':'foo','labels':{'foo':'bar'}},'spec':{'storageClassName':'premium-v2','accessModes':['ReadWriteOnce']}}"),
                Arguments.of("namespaces name the source namespace: another one does not match", PVCS, "elsewhere", PVC, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: persistentvolumeclaims, namespaces: [foo]}
                          patches: [{operation: replace, path: /spec/storageClassName, value: standard}]
                        """, PVC),
                Arguments.of("a test operation that fails skips the rule", PVCS, "foo", PVC, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: persistentvolumeclaims}
                          patches:
                          - {operation: test, path: /spec/storageClassName, value: standard}
                          - {operation: replace, path: /spec/storageClassName, value: premium-v2}
                        """, PVC),
                Arguments.of("matches: the patch applies only where the value is", PVCS, "foo", PVC, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                            groupResource: persistentvolumeclaims
                            matches:
                            - path: /spec/storageClassName
                              value: premium
                          mergePatches:
                          - patchData: '{"spec": {"storageClassName": "premium-v2"}}'
                        - conditions:
                            groupResource: persistentvolumeclaims
                            matches:
                            - path: /spec/storageClassName
                              value: standard
                          mergePatches:
                          - patchData: '{"metadata": {"labels": {"standard": "yes"}}}'
                        """, "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'mysql-data','namespace':'foo','labels':{'foo':'bar','test':'yes'}},'spec':{'storageClassName':'premium-v2','accessModes':['ReadWriteOnce']}}"),
                Arguments.of("rules match the object as backed up, not as an earlier rule patched it", PVCS, "foo", PVC, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: persistentvolumeclaims}
                          patches: [{operation: replace, path: /spec/storageClassName, value: standard}]
                        - conditions:
                            groupResource: persistentvolumeclaims
                            matches: [{path: /spec/storageClassName, value: standard}]
                          patches: [{operation: add, path: /metadata/labels/changed, value: "true"}]
                        """, "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'mysql-data','namespace':'foo','labels':{'foo':'bar','test':'yes'}},'spec':{'storageClassName':'standard','accessModes':['ReadWriteOnce']}}"),
                Arguments.of("a merge patch deletes an annotation with null", PODS, "ns1", POD, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                            groupResource: pods
                            resourceNameRegex: "^my-pod$"
                          mergePatches:
                          - patchData: |
                              {"metadata": {"annotations": {"foo": null}}}
                        """, POD.replace("'annotations':{'foo':'x','keep':'y'}", "'annotations':{'keep':'y'}")),
                Arguments.of("a strategic patch changes one container by name and keeps the others", PODS, "ns1", POD, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                            groupResource: pods
                            resourceNameRegex: "^my-pod$"
                          strategicPatches:
                          - patchData: |
                              {"spec": {"containers": [{"name": "nginx", "image": "repo2/nginx"}]}}
                        """, POD.replace("repo1/nginx", "repo2/nginx")),
                Arguments.of("strategic: $patch delete removes a volume by name, a new env list merges in", PODS, "ns1", POD, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: pods}
                          strategicPatches:
                          - patchData: |
                              spec:
                                volumes:
                                - {name: data, $patch: delete}
                                containers:
                                - name: sidecar
                                  env: [{name: MODE, value: restored}]
                        """, POD.replace("'volumes':[{'name':'data','emptyDir':{}}]", "'volumes':[]")
                        .replace("{'name':'sidecar','image':'envoy'}", "{'name':'sidecar','image':'envoy','env':[{'name':'MODE','value':'restored'}]}")),
                Arguments.of("groupResource globs: *.apps, with a matchExpressions selector", DEPLOYMENTS, "bar", DEPLOYMENT, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                            groupResource: "*.apps"
                            resourceNameRegex: "^test-.*$"
                            labelSelector:
                              matchExpressions:
                              - {key: tier, operator: In, values: [front, edge]}
                              - {key: canary, operator: DoesNotExist}
                          patches:
                          - operation: replace
                            path: /spec/replicas
                            value: "1"
                        """, DEPLOYMENT.replace("'replicas':3", "'replicas':1")),
                Arguments.of("a matchExpressions selector that fails leaves the object alone", DEPLOYMENTS, "bar", DEPLOYMENT, """
                        version: v1
                        resourceModifierRules:
                        - conditions:
                            groupResource: deployments.apps
                            labelSelector:
                              matchExpressions: [{key: tier, operator: NotIn, values: [front]}]
                          patches: [{operation: replace, path: /spec/replicas, value: "1"}]
                        """, DEPLOYMENT),
                Arguments.of("* matches one part only: deployments.apps is not *", DEPLOYMENTS, "bar", DEPLOYMENT, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: "*"}
                          patches: [{operation: replace, path: /spec/replicas, value: "1"}]
                        """, DEPLOYMENT),
                Arguments.of("values: a quoted number stays a string, a JSON object is an object", DEPLOYMENTS, "bar", DEPLOYMENT, """
                        version: v1
                        resourceModifierRules:
                        - conditions: {groupResource: "**"}
                          patches:
                          - {operation: add, path: /metadata/labels/version, value: '"3"'}
                          - operation: add
                            path: /spec/template/spec/containers/0
                            value: "{\\"name\\": \\"init\\", \\"image\\": \\"busybox\\"}"
                        """, DEPLOYMENT.replace("'tier':'front'", "'tier':'front','version':'3'")
                        .replace("'containers':[{", "'containers':[{'name':'init','image':'busybox'},{")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void appliesVelerosFormat(String description, ResourceType type, String sourceNamespace, String object, String rules,
                              String expected) throws Exception {
        ResourceModifiers modifiers = ResourceModifiers.parse("rules.yaml", rules);

        ObjectNode result = modifiers.apply(type, sourceNamespace, json(object));

        assertThat(result).isEqualTo(json(expected));
    }

    static Stream<Arguments> refusals() {
        String rule = "version: v1\nresourceModifierRules:\n- conditions: {groupResource: pods}\n";
        return Stream.of(
                Arguments.of(rule + "  patches: [{operation: replace, path: /a, value: b}]\n  extra: 1\n", "rule 0: unknown key 'extra'"),
                Arguments.of(rule.replace("{groupResource: pods}", "{groupResource: pods, namespace: [a]}")
                        + "  patches: [{operation: remove, path: /a}]\n", "conditions: unknown key 'namespace'"),
                Arguments.of(rule + "  patches: [{op: remove, path: /a}]\n", "patches: unknown key 'op'"),
                Arguments.of(rule + "  patches: [{operation: delete, path: /a}]\n", "patch operation 'delete' is not one of"),
                Arguments.of(rule + "  patches: [{operation: remove, path: a}]\n", "path 'a' is not a JSON pointer"),
                Arguments.of(rule.replace("{groupResource: pods}", "{groupResource: pods, resourceNameRegex: '(unclosed'}")
                        + "  patches: [{operation: remove, path: /a}]\n", "resourceNameRegex '(unclosed' is not a regular expression"),
                Arguments.of(rule.replace("{groupResource: pods}", "{groupResource: pods, labelSelector: {matchExpressions: [{key: a, operator: Has}]}}")
                        + "  patches: [{operation: remove, path: /a}]\n", "operator 'Has' is not one of In, NotIn, Exists, DoesNotExist"),
                Arguments.of(rule.replace("{groupResource: pods}", "{groupResource: pods, labelSelector: {matchExpressions: [{key: a, operator: In}]}}")
                        + "  patches: [{operation: remove, path: /a}]\n", "operator In on 'a' needs values"),
                Arguments.of(rule.replace("{groupResource: pods}", "{groupResource: '[pods]'}")
                        + "  patches: [{operation: remove, path: /a}]\n", "character classes and escapes are not supported"),
                Arguments.of(rule + "  jsonPatches: [{operation: remove, path: /a}]\n", "unknown key 'jsonPatches'"),
                Arguments.of(rule, "no patches, mergePatches or strategicPatches"),
                Arguments.of(rule + "  mergePatches: [{patchData: 'just text'}]\n", "patchData must be a JSON or YAML map"),
                Arguments.of(rule.replace("version: v1", "version: v2") + "  patches: [{operation: remove, path: /a}]\n",
                        "version 'v2' is not supported"),
                Arguments.of("version: v1\nresourceModifierRules: []\n", "'resourceModifierRules' must be a non-empty list"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void refusesWhatTheFormatDoesNotHave(String rules, String message) {
        assertThatThrownBy(() -> ResourceModifiers.parse("rules.yaml", rules))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--resource-modifiers rules.yaml: ")
                .hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void aStrategicPatchOnACustomResourceFailsThatObjectNamingWhy() throws Exception {
        ResourceModifiers modifiers = ResourceModifiers.parse("rules.yaml", """
                version: v1
                resourceModifierRules:
                - conditions: {groupResource: "**"}
                  strategicPatches: [{patchData: '{"spec": {"color": "red"}}'}]
                """);

        assertThatThrownBy(() -> modifiers.apply(WIDGETS, "shop", json("{'kind':'Widget','metadata':{'name':'w'},'spec':{}}")))
                .hasMessageContaining("widgets.example.com is not a built-in type").hasMessageContaining("use mergePatches");
        assertThat(modifiers.apply(KnownTypes.NAMESPACES, null, json("{'kind':'Namespace','metadata':{'name':'n'}}")))
                .isEqualTo(json("{'kind':'Namespace','metadata':{'name':'n'},'spec':{'color':'red'}}"));
    }

    private static ObjectNode json(String singleQuoted) throws Exception {
        return (ObjectNode) Json.mapper().readTree(singleQuoted.replace('\'', '"'));
    }
}
