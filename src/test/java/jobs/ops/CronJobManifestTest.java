package jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jobs.config.KbackupProperties;
import jobs.purge.Schedule;
import org.junit.jupiter.api.BeforeAll;
import jobs.testing.ImageJvm;
import org.junit.jupiter.api.Test;

/** Every document of k8s/cronjob.yaml: least privilege, hardened pods, and schedules that match the policy. */
class CronJobManifestTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static List<JsonNode> documents = new ArrayList<>();

    @BeforeAll
    static void parse() throws Exception {
        try (var parser = YAML.getFactory().createParser(Path.of("k8s/cronjob.yaml").toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isEmpty()) {
                    documents.add(d);
                }
            });
        }
    }

    static JsonNode find(String kind, String name) {
        return documents.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static List<JsonNode> podSpecs() {
        List<JsonNode> specs = new ArrayList<>();
        for (JsonNode d : documents) {
            if (d.path("kind").asText().equals("CronJob")) {
                specs.add(d.path("spec").path("jobTemplate").path("spec").path("template").path("spec"));
            } else if (d.path("kind").asText().equals("Job")) {
                specs.add(d.path("spec").path("template").path("spec"));
            }
        }
        return specs;
    }

    /** The Job's retries of a killed pod resume its restore point: the name comes from the Job, not the clock. */
    @Test
    void scheduledBackupsAreNamedAfterTheirJob() {
        JsonNode container = find("CronJob", "kbackup-backup").path("spec").path("jobTemplate").path("spec")
                .path("template").path("spec").path("containers").get(0);
        assertThat(container.path("args").toString()).isEqualTo("[\"backup\"]");
        JsonNode name = null;
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("KBACKUP_BACKUP_NAME")) {
                name = env;
            }
        }
        assertThat(name).as("KBACKUP_BACKUP_NAME").isNotNull();
        assertThat(name.path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("metadata.labels['batch.kubernetes.io/job-name']");
        assertThat(find("CronJob", "kbackup-backup").path("spec").path("jobTemplate").path("spec").path("backoffLimit").asInt())
                .isPositive();
    }

    @Test
    void everyDocumentIsAKubernetesObjectInTheKbackupNamespace() {
        assertThat(documents).hasSizeGreaterThanOrEqualTo(12);
        for (JsonNode d : documents) {
            assertThat(d.path("apiVersion").asText()).isNotEmpty();
            assertThat(d.path("metadata").path("name").asText()).isNotEmpty();
            String kind = d.path("kind").asText();
            if (!List.of("Namespace", "ClusterRole", "ClusterRoleBinding").contains(kind)) {
                assertThat(d.path("metadata").path("namespace").asText()).as(kind).isEqualTo("kbackup");
            }
        }
    }

    @Test
    void backupAndPurgeReadOnlyWhileRestoreHasItsOwnWritingAccount() {
        JsonNode backup = find("ClusterRole", "kbackup-backup");
        for (JsonNode rule : backup.path("rules")) {
            List<String> verbs = new ArrayList<>();
            rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            if (rule.path("apiGroups").get(0).asText().equals("*")) {
                assertThat(verbs).containsExactlyInAnyOrder("get", "list");
            } else if (rule.path("resources").get(0).asText().equals("pods/exec")) {
                assertThat(verbs).containsExactly("create"); // backup hooks, nothing more
            } else {
                assertThat(rule.path("apiGroups").get(0).asText()).isEqualTo("snapshot.storage.k8s.io");
                assertThat(rule.path("resources").get(0).asText()).isIn("volumesnapshots", "volumesnapshotcontents");
                assertThat(verbs).doesNotContain("escalate", "bind", "*");
            }
        }
        assertThat(find("ClusterRoleBinding", "kbackup-restore").path("subjects").get(0).path("name").asText()).isEqualTo("kbackup-restore");
        assertThat(find("CronJob", "kbackup-backup").path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                .path("serviceAccountName").asText()).isEqualTo("kbackup-backup");
        assertThat(find("CronJob", "kbackup-purge").path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                .path("serviceAccountName").asText()).isEqualTo("kbackup-backup");
        JsonNode restore = find("Job", "kbackup-restore-example");
        assertThat(restore.path("spec").path("template").path("spec").path("serviceAccountName").asText()).isEqualTo("kbackup-restore");
        assertThat(documents.stream().filter(d -> d.path("kind").asText().equals("CronJob"))
                .map(d -> d.path("metadata").path("name").asText())).doesNotContain("kbackup-restore");
    }

    @Test
    void cronJobsAreSafeToRunUnattended() {
        for (JsonNode d : documents) {
            if (!d.path("kind").asText().equals("CronJob")) {
                continue;
            }
            JsonNode spec = d.path("spec");
            assertThat(spec.path("concurrencyPolicy").asText()).isEqualTo("Forbid");
            assertThat(spec.path("startingDeadlineSeconds").asInt()).isPositive();
            assertThat(spec.path("successfulJobsHistoryLimit").asInt()).isPositive();
            assertThat(spec.path("failedJobsHistoryLimit").asInt()).isPositive();
            assertThat(spec.path("jobTemplate").path("spec").has("backoffLimit")).isTrue();
            assertThat(spec.path("jobTemplate").path("spec").path("activeDeadlineSeconds").asInt()).isPositive();
        }
    }

    @Test
    void podsAreHardened() {
        assertThat(podSpecs()).hasSize(3);
        for (JsonNode pod : podSpecs()) {
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
            for (JsonNode c : pod.path("containers")) {
                JsonNode security = c.path("securityContext");
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
                assertThat(security.path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
                assertThat(c.path("resources").path("requests").path("cpu").asText()).isNotEmpty();
                assertThat(c.path("resources").path("requests").path("memory").asText()).isNotEmpty();
                assertThat(c.path("resources").path("limits").path("memory").asText()).isNotEmpty();
                // An OutOfMemoryError in a client thread can leave a run waiting forever; exiting lets the Job's
                // backoff start a fresh pod that resumes. The pods run the JVM as the image does (and as benchmarked).
                assertThat(ImageJvm.flags()).contains("-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
                String javaOptions = String.join(" ", c.path("env").findValuesAsText("value"));
                assertThat(javaOptions).as("JAVA_TOOL_OPTIONS of %s", c.path("args")).contains(ImageJvm.flags());
            }
        }
    }

    @Test
    void theBackupScheduleIsTheOneThePolicyInTheConfigMapStandsFor() throws Exception {
        JsonNode config = YAML.readTree(find("ConfigMap", "kbackup-config").path("data").path("application.yaml").asText());
        JsonNode policy = config.path("kbackup").path("policy");
        KbackupProperties.Policy p = new KbackupProperties.Policy(Duration.parse(policy.path("frequency").asText()),
                policy.path("time").asText("00:00"), Duration.parse(policy.path("retention").asText()), 1, 0, 0, 0);
        assertThat(p.isFrequencySupported()).isTrue();
        assertThat(find("CronJob", "kbackup-backup").path("spec").path("schedule").asText()).isEqualTo(Schedule.of(p).cron());
        String purge = find("CronJob", "kbackup-purge").path("spec").path("schedule").asText();
        assertThat(purge.split(" ")).as("purge runs once a day").satisfies(f -> {
            assertThat(f[2]).isEqualTo("*");
            assertThat(f[1]).matches("\\d+");
        });
        Map<String, List<String>> args = documents.stream().filter(d -> d.path("kind").asText().equals("CronJob"))
                .collect(Collectors.toMap(d -> d.path("metadata").path("name").asText(), d -> {
                    List<String> a = new ArrayList<>();
                    d.path("spec").path("jobTemplate").path("spec").path("template").path("spec").path("containers").get(0)
                            .path("args").forEach(x -> a.add(x.asText()));
                    return a;
                }));
        assertThat(args).containsEntry("kbackup-backup", List.of("backup")).containsEntry("kbackup-purge", List.of("purge"));
    }
}
