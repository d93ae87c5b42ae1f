package jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jobs.testing.ApiServer;
import jobs.testing.ClusterFixture;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind: exit code 2, one line naming the bad value, and nothing written (no restore point,
 * no job repository).
 */
class BadInputTest {

    static ApiServer api;
    /** A well-formed key (32 bytes in base64), for the rows about the keyring's other settings. */
    static final String ZERO_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @TempDir
    Path dir;

    @BeforeAll
    static void cluster() {
        api = ApiServer.start();
        ClusterFixture.populate(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(List.of("backup", "--bogus"), "Unknown option: '--bogus'"),
                Arguments.of(List.of("frobnicate"), "Unmatched argument at index 0: 'frobnicate'"),
                Arguments.of(List.of("backup", "--name", "Bad_Name"), "--name: 'Bad_Name' is not a valid name"),
                Arguments.of(List.of("backup", "--selector", "env in (prod"), "--selector: unbalanced '(' in selector 'env in (prod'"),
                Arguments.of(List.of("backup", "--selector", "env=a b"), "invalid label value 'a b'"),
                Arguments.of(List.of("backup", "--ttl", "forever"), "--ttl: 'forever' is not a duration"),
                Arguments.of(List.of("backup", "--ttl", "-5d"), "--ttl: '-5d' must be positive"),
                Arguments.of(List.of("backup", "--ttl", "400d"), "--ttl: '400d' is longer than the 360 days"),
                Arguments.of(List.of("backup", "--include-cluster-resources", "maybe"), "--include-cluster-resources: 'maybe' is not one of auto, true, false"),
                Arguments.of(List.of("backup", "--snapshot-volumes", "perhaps"), "--snapshot-volumes"),
                Arguments.of(List.of("backup", "--include-namespaces", "shop["), "--include-namespaces: bad namespace pattern 'shop['"),
                Arguments.of(List.of("backup", "--include-resources", "widgetz"), "--include-resources: unknown resource 'widgetz'"),
                Arguments.of(List.of("backup", "--exclude-resources", "configmaps,nope.example.com"), "--exclude-resources: unknown resource 'nope.example.com'"),
                Arguments.of(List.of("list", "--output", "yaml"), "--output"),
                Arguments.of(List.of("describe"), "Missing required parameter: 'NAME'"),
                Arguments.of(List.of("backup", "--kbackup.storage.type=azure-blob"), "kbackup.storage.azure.connection-string or kbackup.storage.azure.endpoint is required"),
                Arguments.of(List.of("backup", "--kbackup.storage.type=s3"), "kbackup.storage.type=s3: must be one of filesystem, azure-blob"),
                Arguments.of(List.of("backup", "--kbackup.storage.azure.container=Bad_Container"), "kbackup.storage.azure.container=Bad_Container"),
                Arguments.of(List.of("backup", "--kbackup.kube.page-size=0"), "kbackup.kube.page-size=0"),
                Arguments.of(List.of("backup", "--kbackup.backup.compression-level=10"), "kbackup.backup.compression-level=10"),
                Arguments.of(List.of("backup", "--kbackup.backup.uploads-in-flight=0"), "kbackup.backup.uploads-in-flight=0"),
                Arguments.of(List.of("backup", "--kbackup.backup.pack-bytes=1KB"), "kbackup.backup.pack-bytes must be between 64KB and 512MB"),
                Arguments.of(List.of("backup", "--kbackup.backup.read-ahead-bytes=lots"), "kbackup.backup.read-ahead-bytes=lots"),
                Arguments.of(List.of("backup", "--kbackup.backup.commit-bytes=1MB"),
                        "kbackup.backup.commit-bytes must be between kbackup.backup.pack-bytes and 4GB"),
                Arguments.of(List.of("backup", "--kbackup.policy.retention=P400D"), "kbackup.policy.retention must be between 1 day and 360 days"),
                Arguments.of(List.of("backup", "--kbackup.backup.progress-interval=soon"), "kbackup.backup.progress-interval=soon"),
                Arguments.of(List.of("backup", "--kbackup.kube.context=elsewhere"), "kbackup.kube.context: no context named 'elsewhere'"),
                Arguments.of(List.of("list", "--kbackup.storage.prefix=../escape"), "kbackup.storage.prefix=../escape"),
                Arguments.of(List.of("restore"), "Missing required option: '--from=BACKUP'"),
                Arguments.of(List.of("restore", "--from", "nothing-here"), "--from: restore point 'nothing-here' not found"),
                Arguments.of(List.of("restore", "--from", "x", "--namespace-mapping", "a=b,a=c"), "namespace 'a' is mapped twice"),
                Arguments.of(List.of("restore", "--from", "x", "--existing-resource-policy", "replace"), "'replace' is not one of skip, update"),
                Arguments.of(List.of("restore", "--from", "x", "--restore-volumes", "maybe"), "--restore-volumes"),
                Arguments.of(List.of("backup", "--kbackup.hooks.backup.resources[0].pre[0].exec.command[0]=sync",
                        "--kbackup.hooks.backup.resources[0].pre[0].exec.timeout=300"),
                        "kbackup.hooks.backup.resources[0].pre[0].exec.timeout='300' is not a duration with a unit"),
                Arguments.of(List.of("backup", "--kbackup.hooks.backup.resources[0].post[0].exec.command[0]=sync",
                        "--kbackup.hooks.backup.resources[0].post[0].exec.on-error=Ignore"),
                        "kbackup.hooks.backup.resources[0].post[0].exec.on-error='Ignore' is not Fail or Continue"),
                Arguments.of(List.of("backup", "--kbackup.hooks.backup.resources[0].label-selector=app in (a",
                        "--kbackup.hooks.backup.resources[0].pre[0].exec.command[0]=sync"),
                        "kbackup.hooks.backup.resources[0].label-selector='app in (a'"),
                Arguments.of(List.of("restore", "--from", "x", "--disk-sku", "Fast_LRS"), "--disk-sku: 'Fast_LRS' is not a managed disk SKU"),
                Arguments.of(List.of("restore", "--from", "x", "--zone-mapping", "1=west"), "--zone-mapping: 'west' is not an availability zone"),
                Arguments.of(List.of("restore", "--from", "x", "--zone-mapping", "1"), "--zone-mapping: '1' is not SRC=DST"),
                Arguments.of(List.of("restore", "--from", "x", "--zone-mapping", "1=2,1=3"), "--zone-mapping: zone '1' is mapped twice"),
                Arguments.of(List.of("purge", "--retention", "12h"), "--retention: '12h' is shorter than the 1 day minimum"),
                Arguments.of(List.of("purge", "--keep-last", "-1"), "--keep-last: '-1' must be 0 or more"),
                Arguments.of(List.of("purge", "--retention", "0d"), "--retention: '0d' must be positive"),
                Arguments.of(List.of("report", "--job", "archive"), "--job: 'archive' is not one of backup, restore, purge, import-velero, fleet-backup"),
                Arguments.of(List.of("report", "--since", "yesterday"), "--since: 'yesterday' is not a duration"),
                Arguments.of(List.of("report", "--output", "pdf"), "--output"),
                Arguments.of(List.of("restart", "abc"), "'abc' is not a long"),
                Arguments.of(List.of("import-velero", "--velero-prefix", "a/../b", "--name", "n"), "--velero-prefix 'a/../b': must be empty or a path"),
                Arguments.of(List.of("import-velero", "--from-file", "x", "--name", "Nightly"), "--name: 'Nightly' is not a valid name"),
                Arguments.of(List.of("export-velero", "shop"), "give exactly one of --to-file FOLDER and --velero-prefix PREFIX"),
                Arguments.of(List.of("fleet", "backup", "--parallelism", "0"), "--parallelism: '0' must be between 1 and 256"),
                Arguments.of(List.of("fleet", "backup", "--runner", "ssh"), "--runner: 'ssh' must be local or kubernetes"),
                Arguments.of(List.of("fleet", "backup", "--clusters", "Prod"), "--clusters: 'Prod' is not a valid name"),
                Arguments.of(List.of("fleet", "purge", "--retention", "12h"), "--retention: '12h' is shorter than the 1 day minimum"),
                Arguments.of(List.of("list", "--cluster", "a_b"), "--cluster: 'a_b' is not a valid name"),
                Arguments.of(List.of("worker"), "worker: KBACKUP_WORKER_JOB_EXECUTION must be set to a number"),
                Arguments.of(List.of("export-velero", "shop", "--velero-prefix", "/abs"), "--velero-prefix '/abs': must be empty or a path"),
                Arguments.of(List.of("export-velero", "nope", "--velero-prefix", "velero"), "export-velero: no restore point 'nope'"),
                Arguments.of(List.of("stop"), "Missing required parameter: 'ID'"),
                Arguments.of(List.of("describe", "UPPER"), "NAME: 'UPPER' is not a valid name"),
                Arguments.of(List.of("policy", "--kbackup.policy.frequency=PT5H"), "kbackup.policy.frequency must be one of"),
                Arguments.of(List.of("policy", "--kbackup.policy.time=25:00"), "kbackup.policy.time=25:00"),
                Arguments.of(List.of("backup", "--kbackup.snapshots.provider=azure-disk"), "kbackup.snapshots.azure.subscription-id"),
                Arguments.of(List.of("backup", "--kbackup.snapshots.provider=ebs"), "kbackup.snapshots.provider=ebs: must be one of none, azure-disk, csi"),
                Arguments.of(List.of("backup", "--kbackup.kube.kubeconfig=/nonexistent/kubeconfig"), "kbackup.kube.kubeconfig: no file '/nonexistent/kubeconfig'"),
                Arguments.of(List.of("backup", "--kbackup.run.lease-duration=1s"), "kbackup.run.lease-duration must be between 3s and 10m"),
                Arguments.of(List.of("backup", "--kbackup.run.ownership=etcd"), "kbackup.run.ownership=etcd: must be one of auto, lease, process"),
                Arguments.of(List.of("list", "--kbackup.encryption.key=c2hvcnQ="), "kbackup.encryption.key: key 'default' must be 32 bytes (AES-256), got 5"),
                Arguments.of(List.of("list", "--kbackup.encryption.keys.k202606=c2hvcnQ="), "kbackup.encryption.keys: key 'k202606' must be 32 bytes (AES-256), got 5"),
                Arguments.of(List.of("list", "--kbackup.encryption.keys.k202606=" + ZERO_KEY, "--kbackup.encryption.active-key=k202612"),
                        "kbackup.encryption.active-key: no key 'k202612' in kbackup.encryption.keys (it has k202606)"),
                Arguments.of(List.of("list", "--kbackup.encryption.keys.k1=" + ZERO_KEY, "--kbackup.encryption.key=" + ZERO_KEY,
                        "--kbackup.encryption.key-id=k1"), "kbackup.encryption.key-id names a key that kbackup.encryption.keys holds too"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exitsTwoNamingTheValueAndWritesNothing(List<String> args, String message) throws IOException {
        Kbackup kbackup = Kbackup.filesystem(dir, api)
                .with(args.stream().filter(a -> a.startsWith("--kbackup.")).toArray(String[]::new));
        Kbackup.Result result = kbackup.run(args.stream().filter(a -> !a.startsWith("--kbackup.")).toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).as(result.toString()).contains(message);
        assertThat(result.out()).isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("files written").containsExactly("kubeconfig");
        }
    }
}
