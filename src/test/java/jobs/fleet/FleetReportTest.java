package jobs.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jobs.filter.Selection;
import jobs.store.Manifest;
import jobs.store.RestorePoints;
import jobs.support.Json;
import jobs.testing.ApiServer;
import jobs.testing.Chromium;
import jobs.testing.Kbackup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup center on a generated history, with the policy every 4 hours and the default grace of 1 hour: alpha's newest
 * Completed restore point is 1 hour old (OK), beta's 10 hours (a breach), gamma never completed one and cannot be
 * reached (a breach, with its failure), and delta's is 2 hours old but its last run failed (failures). The rows come
 * breaches first, then failures.
 */
class FleetReportTest {

    @TempDir
    Path dir;
    ApiServer hub;
    Kbackup kbackup;
    final Instant now = Instant.now();

    @BeforeEach
    void history() throws Exception {
        hub = ApiServer.start();
        Path unreachable = Fleets.unreachable(Files.createDirectories(dir.resolve("gone")));
        Path live = hub.writeKubeconfig(Files.createDirectories(dir.resolve("hub")));
        kbackup = Kbackup.filesystem(dir, hub).with("--kbackup.kube.request-retries=0", "--kbackup.policy.frequency=PT4H")
                .with(Fleets.member(0, "alpha", live)).with(Fleets.member(1, "beta", live))
                .with(Fleets.member(2, "gamma", unreachable)).with(Fleets.member(3, "delta", unreachable));
        completed(Fleets.member(dir, "alpha"), "a-old", Duration.ofHours(5), 100);
        completed(Fleets.member(dir, "alpha"), "a-new", Duration.ofHours(1), 120);
        completed(Fleets.member(dir, "beta"), "b-new", Duration.ofHours(10), 40);
        RestorePoints beta = Fleets.member(dir, "beta");
        beta.create(Manifest.started("b-failed", now.minus(Duration.ofHours(6)), now.plus(Duration.ofDays(7)), "beta", Selection.everything())
                .failed(now.minus(Duration.ofHours(6)), List.of(new Manifest.ItemError(null, null, null, "storage unreachable"))));
        completed(Fleets.member(dir, "delta"), "d-new", Duration.ofHours(2), 7);

        Kbackup.Result failing = kbackup.run("fleet", "backup", "--clusters", "gamma,delta", "--name", "f1");
        assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(1);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    void completed(RestorePoints store, String name, Duration ago, long items) {
        Instant started = now.minus(ago).minusSeconds(60);
        store.create(Manifest.started(name, started, started.plus(Duration.ofDays(7)), "c", Selection.everything())
                .finished(now.minus(ago), items, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null));
    }

    @Test
    void tableAndJsonPutBreachesAndFailuresFirst() throws Exception {
        Kbackup.Result table = kbackup.run("fleet", "report");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(1)).startsWith("gamma").contains("RPO-BREACH").contains("none");
        assertThat(lines.get(2)).startsWith("beta").contains("RPO-BREACH").contains("b-new").contains("10h0m");
        assertThat(lines.get(3)).startsWith("delta").contains("FAILURES").contains("d-new");
        assertThat(lines.get(4)).startsWith("alpha").contains("OK").contains("a-new").contains("120");
        assertThat(table.out()).containsPattern("gamma: .* backup execution \\d+ failed: failed before the job started: .*127\\.0\\.0\\.1:1");

        JsonNode json = Json.mapper().readTree(kbackup.run("fleet", "report", "-o", "json").out());
        assertThat(json).hasSize(4);
        assertThat(json.get(0).path("member").asText()).isEqualTo("gamma");
        assertThat(json.get(0).path("failures")).hasSize(1);
        assertThat(json.get(0).path("failures").get(0).path("job").asText()).isEqualTo("backup");
        assertThat(json.get(1).path("breach").asBoolean()).isTrue();
        assertThat(json.get(1).path("restorePoints").asInt()).isEqualTo(2);
        assertThat(json.get(3).path("breach").asBoolean()).isFalse();
        assertThat(json.get(3).path("history")).hasSize(2);
        assertThat(json.get(3).path("storedBytes").asLong()).as("the manifests alpha's folder holds").isPositive();

        Kbackup.Result graceful = kbackup.with("--kbackup.fleet.rpo-grace=7h").run("fleet", "report", "--clusters", "beta");
        assertThat(graceful.out()).as("10h is within 4h + 7h").contains("OK").doesNotContain("RPO-BREACH");
    }

    @Test
    void theHtmlPageRendersInAHeadlessBrowser() throws Exception {
        Chromium chromium = Chromium.in(dir);
        Kbackup.Result html = kbackup.run("fleet", "report", "-o", "html");
        assertThat(html.exitCode()).as(html.toString()).isZero();
        Path page = dir.resolve("fleet.html");
        Files.writeString(page, html.out());
        assertThat(html.out()).as("self-contained").doesNotContain("<link", "<script", "src=\"http", "href=\"http");

        String dom = chromium.dom(page);
        assertThat(dom).contains("class=\"breaches\">2</span> breaching").contains("class=\"failing\">2</span> with failures");
        assertThat(dom.indexOf("id=\"gamma\"")).isLessThan(dom.indexOf("id=\"beta\"")).isPositive();
        assertThat(dom.indexOf("id=\"beta\"")).isLessThan(dom.indexOf("id=\"delta\""));
        assertThat(dom.indexOf("id=\"delta\"")).isLessThan(dom.indexOf("id=\"alpha\""));
        assertThat(dom.split("class=\"chart\"").length - 1).as("a chart per cluster").isEqualTo(4);
        assertThat(dom).contains("no restore points").contains("a-new").contains("b-failed");
        assertThat(dom).contains("fill=\"#d93025\"").as("beta's Failed restore point drawn red");
        assertThat(chromium.colours(page)).as("a rendered page, not a blank one").isGreaterThan(20);
    }
}
