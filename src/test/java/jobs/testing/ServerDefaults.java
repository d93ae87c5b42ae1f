package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * What a real API server does to an object it stores, for the fields a comparison of backed-up and restored
 * objects meets: a Secret's {@code stringData} merged into {@code data} (base64) and dropped, and the defaults of
 * Kubernetes' defaulting functions for Services, workloads and their pod templates, claims and volumes. Written
 * from Kubernetes' {@code defaults.go} files, not from kbackup's code.
 */
final class ServerDefaults {

    private ServerDefaults() {
    }

    /** Applies to a created or replaced object of this route's resource, in place. */
    static void apply(ApiServer.Route route, ObjectNode object) {
        String resource = route.group().isEmpty() ? route.resource() : route.resource() + "." + route.group();
        switch (resource) {
            case "secrets" -> secret(object);
            case "services" -> service(object.with("spec"));
            case "deployments.apps" -> {
                ObjectNode spec = object.with("spec");
                putIfAbsent(spec, "replicas", 1);
                putIfAbsent(spec, "revisionHistoryLimit", 10);
                putIfAbsent(spec, "progressDeadlineSeconds", 600);
                if (!spec.has("strategy")) {
                    spec.putObject("strategy").put("type", "RollingUpdate");
                }
                if (spec.path("strategy").path("type").asText().equals("RollingUpdate")) {
                    ObjectNode rolling = spec.with("strategy").with("rollingUpdate");
                    putIfAbsent(rolling, "maxUnavailable", "25%");
                    putIfAbsent(rolling, "maxSurge", "25%");
                }
                podTemplate(spec);
            }
            case "statefulsets.apps" -> {
                ObjectNode spec = object.with("spec");
                putIfAbsent(spec, "replicas", 1);
                putIfAbsent(spec, "revisionHistoryLimit", 10);
                putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
                if (!spec.has("updateStrategy")) {
                    spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("partition", 0);
                }
                podTemplate(spec);
            }
            case "daemonsets.apps", "replicasets.apps" -> podTemplate(object.with("spec"));
            case "jobs.batch" -> {
                ObjectNode spec = object.with("spec");
                putIfAbsent(spec, "parallelism", 1);
                putIfAbsent(spec, "completions", 1);
                putIfAbsent(spec, "backoffLimit", 6);
                putIfAbsent(spec, "completionMode", "NonIndexed");
                putIfAbsent(spec, "suspend", false);
                podTemplate(spec);
            }
            case "pods" -> podSpec(object.with("spec"));
            case "persistentvolumeclaims" -> putIfAbsent(object.with("spec"), "volumeMode", "Filesystem");
            case "persistentvolumes" -> {
                ObjectNode spec = object.with("spec");
                putIfAbsent(spec, "volumeMode", "Filesystem");
                putIfAbsent(spec, "persistentVolumeReclaimPolicy", "Retain");
            }
            default -> {
            }
        }
    }

    private static void secret(ObjectNode secret) {
        putIfAbsent(secret, "type", "Opaque");
        if (secret.path("stringData") instanceof ObjectNode stringData) {
            ObjectNode data = secret.with("data");
            for (Iterator<Map.Entry<String, JsonNode>> it = stringData.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                // stringData wins over data for the same key, as the server documents.
                data.put(entry.getKey(), Base64.getEncoder().encodeToString(entry.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
        }
        secret.remove("stringData");
    }

    private static void service(ObjectNode spec) {
        putIfAbsent(spec, "type", "ClusterIP");
        putIfAbsent(spec, "sessionAffinity", "None");
        if (!spec.path("type").asText().equals("ExternalName")) {
            putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        }
        for (JsonNode port : spec.path("ports")) {
            ObjectNode p = (ObjectNode) port;
            putIfAbsent(p, "protocol", "TCP");
            if (!p.has("targetPort") && p.has("port")) {
                p.set("targetPort", p.get("port"));
            }
        }
    }

    private static void podTemplate(ObjectNode workloadSpec) {
        if (workloadSpec.path("template") instanceof ObjectNode template) {
            podSpec(template.with("spec"));
        }
    }

    private static void podSpec(ObjectNode spec) {
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        for (String list : new String[] {"initContainers", "containers"}) {
            if (spec.path(list) instanceof ArrayNode containers) {
                for (JsonNode container : containers) {
                    ObjectNode c = (ObjectNode) container;
                    putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
                    putIfAbsent(c, "terminationMessagePolicy", "File");
                    putIfAbsent(c, "imagePullPolicy", pullPolicy(c.path("image").asText()));
                    for (JsonNode port : c.path("ports")) {
                        putIfAbsent((ObjectNode) port, "protocol", "TCP");
                    }
                }
            }
        }
    }

    /** Always for an image without a tag or tagged latest, IfNotPresent otherwise. */
    private static String pullPolicy(String image) {
        String afterSlash = image.substring(image.lastIndexOf('/') + 1);
        if (afterSlash.contains("@")) {
            return "IfNotPresent";
        }
        return !afterSlash.contains(":") || afterSlash.endsWith(":latest") ? "Always" : "IfNotPresent";
    }

    private static void putIfAbsent(ObjectNode node, String field, Object value) {
        if (node.hasNonNull(field)) {
            return;
        }
        if (value instanceof Integer i) {
            node.put(field, i);
        } else if (value instanceof Boolean b) {
            node.put(field, b);
        } else {
            node.put(field, value.toString());
        }
    }
}
