package jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jobs.testing.ApiServer;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret values never reach logs, progress lines, command output or reports, whatever is backed up or restored. */
class SecretHygieneTest {

    static final String VALUE = "pa55-Wh1sk3y-Tang0";

    @TempDir
    Path dir;

    @Test
    void noSecretValueInAnyOutput() throws Exception {
        try (ApiServer source = ApiServer.start(); ApiServer target = ApiServer.start()) {
            source.create(new NamespaceBuilder().withNewMetadata().withName("vault").endMetadata().build());
            for (int i = 0; i < 30; i++) {
                source.create(new SecretBuilder().withNewMetadata().withName("db-" + i).withNamespace("vault").endMetadata()
                        .addToData("password", Base64.getEncoder().encodeToString((VALUE + i).getBytes(StandardCharsets.UTF_8)))
                        .build());
            }
            Kbackup kbackup = Kbackup.filesystem(dir, source).with("--kbackup.backup.progress-interval=0s",
                    "--logging.level.jobs=DEBUG");
            Path targetDir = Files.createDirectories(dir.resolve("target"));
            Kbackup intoTarget = kbackup.with("--kbackup.kube.kubeconfig=" + target.writeKubeconfig(targetDir));
            target.create(new NamespaceBuilder().withNewMetadata().withName("vault").endMetadata().build());
            target.create(new SecretBuilder().withNewMetadata().withName("db-0").withNamespace("vault").endMetadata()
                    .addToData("password", "b3RoZXI=").build());

            List<String> outputs = new ArrayList<>();
            Process backup = kbackup.spawn("backup", "--name", "secrets");
            assertThat(backup.waitFor(90, TimeUnit.SECONDS)).isTrue();
            outputs.add(Files.readString(kbackup.childLog(backup)));
            Process restore = intoTarget.spawn("restore", "--from", "secrets", "--name", "secrets-back", "--existing-resource-policy", "update");
            assertThat(restore.waitFor(90, TimeUnit.SECONDS)).isTrue();
            outputs.add(Files.readString(intoTarget.childLog(restore)));
            for (List<String> args : List.of(List.of("list", "-o", "json"), List.of("describe", "secrets"),
                    List.of("describe", "secrets", "-o", "json"), List.of("report", "-o", "json"), List.of("report", "-o", "html"),
                    List.of("restore", "--from", "secrets", "--name", "preview", "--dry-run"))) {
                Kbackup.Result result = intoTarget.run(args.toArray(String[]::new));
                outputs.add(result.out() + result.err());
            }

            assertThat(target.client().secrets().inNamespace("vault").list().getItems()).hasSize(30);
            assertThat(outputs.get(0)).contains("Backup secrets");
            for (String output : outputs) {
                assertThat(output).doesNotContain(VALUE)
                        .doesNotContain(Base64.getEncoder().encodeToString((VALUE + "1").getBytes(StandardCharsets.UTF_8)))
                        .doesNotContain("cGE1NS1XaDFzazN5");
            }
        }
    }
}
