package jobs.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jobs.store.RestorePoints;
import jobs.testing.Stored;

/** Fleet configuration and storage for the tests. */
final class Fleets {

    private Fleets() {
    }

    /** Member {@code index} named {@code name}, reached with {@code kubeconfig}. */
    static String[] member(int index, String name, Path kubeconfig) {
        return new String[] {"--kbackup.fleet.clusters[" + index + "].name=" + name,
                "--kbackup.fleet.clusters[" + index + "].kubeconfig=" + kubeconfig};
    }

    /** A member's restore points in the folder store of {@code dir}. */
    static RestorePoints member(Path dir, String name) {
        return new RestorePoints(Stored.folder(dir.resolve("backups").resolve("clusters").resolve(name)));
    }

    /** A kubeconfig whose server nothing listens on. */
    static Path unreachable(Path folder) throws IOException {
        Path file = folder.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: gone
                  cluster:
                    server: http://127.0.0.1:1
                contexts:
                - name: gone
                  context:
                    cluster: gone
                    user: gone
                current-context: gone
                users:
                - name: gone
                  user:
                    token: t
                """);
        return file;
    }
}
