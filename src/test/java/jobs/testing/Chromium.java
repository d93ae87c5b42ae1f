package jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/** Debian's headless Chromium (which .ci/run installs), rendering a page offline as a user's browser would. */
public final class Chromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Path dir;

    private Chromium(Path dir) {
        this.dir = dir;
    }

    /** A browser with its profile and output under {@code dir}; the test is skipped where Chromium is not installed. */
    public static Chromium in(Path dir) {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "Chromium is not installed (apt-get install chromium; .ci/run does)");
        return new Chromium(dir);
    }

    /** The DOM after the page has loaded and run. */
    public String dom(Path page) throws Exception {
        return run("--dump-dom", page.toUri().toString());
    }

    /** How many distinct colours a 1200x900 screenshot of the page has (sampled): a blank page has one or two. */
    public int colours(Path page) throws Exception {
        Path png = dir.resolve("page.png");
        run("--screenshot=" + png, "--window-size=1200,900", page.toUri().toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        Set<Integer> colours = new HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 7) {
            for (int y = 0; y < image.getHeight(); y += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile")));
        command.addAll(List.of(args));
        Path out = dir.resolve("chromium.out");
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("chromium.err").toFile()).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return Files.readString(out);
    }
}
