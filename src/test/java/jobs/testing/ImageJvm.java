package jobs.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JVM options the container image starts kbackup with: the {@code -XX:} flags of the Dockerfile's ENTRYPOINT. */
public final class ImageJvm {

    private ImageJvm() {
    }

    public static List<String> flags() {
        try {
            for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
                if (line.startsWith("ENTRYPOINT ")) {
                    List<String> flags = new ArrayList<>();
                    for (String word : new ObjectMapper().readValue(line.substring("ENTRYPOINT ".length()), String[].class)) {
                        if (word.startsWith("-XX:")) {
                            flags.add(word);
                        }
                    }
                    return flags;
                }
            }
            throw new IllegalStateException("Dockerfile has no ENTRYPOINT");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The image's flags for a JVM given its own heap limit: the image sizes its heap from the pod's memory instead. */
    public static List<String> flagsWithExplicitHeap() {
        return flags().stream().filter(f -> !f.startsWith("-XX:MaxRAMPercentage")).toList();
    }
}
