package jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jobs.testing.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report rendered by a real headless browser (Debian's Chromium, which .ci/run installs): the page
 * loads offline, its table and chart are in the rendered DOM, and the screenshot is not blank.
 */
class HtmlReportRenderTest {

    @TempDir
    Path dir;

    static List<ExecutionReport> runs() {
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        return List.of(
                new ExecutionReport("backup", 1, "name=a", "COMPLETED", "COMPLETED", null, t, t.plusSeconds(40), 40, 12_000,
                        List.of(new ExecutionReport.StepReport("resources", "COMPLETED", 12_000, 12_000, 0, 24)), 2, 0),
                new ExecutionReport("backup", 2, "name=b <x>", "FAILED", "FAILED", "list configmaps failed (HTTP 500)",
                        t.plusSeconds(14_400), t.plusSeconds(14_410), 10, 500, List.of(), 0, 0),
                new ExecutionReport("restore", 3, "name=r", "COMPLETED", "PARTIALLY_FAILED", "1 items failed",
                        t.plusSeconds(28_800), t.plusSeconds(28_860), 60, 9_000, List.of(), 1, 1));
    }

    @Test
    void rendersInAHeadlessBrowser() throws Exception {
        Chromium chromium = Chromium.in(dir);
        Path page = dir.resolve("report.html");
        Files.writeString(page, HtmlReport.render(runs(), Instant.parse("2026-11-27T12:00:00Z")));

        String dom = chromium.dom(page);
        assertThat(dom).contains("<polyline").contains("<rect").contains("name=b &lt;x&gt;").contains("list configmaps failed");
        assertThat(dom.split("<tr").length - 1).isEqualTo(1 + 2 + 1 + 3);
        assertThat(chromium.colours(page)).as("a rendered page, not a blank one").isGreaterThan(20);
    }
}
