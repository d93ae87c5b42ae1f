package jobs.purge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import jobs.filter.Selection;
import jobs.store.Manifest;
import jobs.store.Phase;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** Property-style checks of the retention rules over random histories of backups. */
class RetentionRulesTest {

    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    static final Duration RETENTION = Duration.ofDays(7);

    /** A random history: phases, ages up to 40 days, own TTLs from 1 to 30 days or none. */
    static List<Manifest> history(Random random, int size) {
        List<Manifest> history = new ArrayList<>();
        Phase[] phases = {Phase.Completed, Phase.Completed, Phase.Completed, Phase.PartiallyFailed, Phase.Failed,
                Phase.InProgress, Phase.Deleting};
        for (int i = 0; i < size; i++) {
            Instant started = NOW.minus(Duration.ofMinutes(random.nextInt(40 * 24 * 60)));
            Instant expires = random.nextInt(4) == 0 ? null : started.plus(Duration.ofDays(1 + random.nextInt(30)));
            history.add(new Manifest(1, "bk-" + i, phases[random.nextInt(phases.length)], started, null, expires, "c",
                    Selection.everything(), 0, null, null, null, null, null, null, null, null));
        }
        return history;
    }

    @RepeatedTest(200)
    void purgesExactlyWhatTheRulesSayAndASecondRunDeletesNothing(RepetitionInfo run) {
        Random random = new Random(run.getCurrentRepetition());
        List<Manifest> history = history(random, 1 + random.nextInt(40));
        Set<String> running = history.stream().filter(m -> m.phase() == Phase.InProgress && random.nextBoolean())
                .map(Manifest::name).collect(Collectors.toSet());
        int keepLast = random.nextInt(3);
        RetentionRules rules = new RetentionRules(RETENTION, null, keepLast, random.nextInt(4), random.nextInt(3), random.nextInt(2));

        Map<String, Decision> decisions = rules.decide(history, NOW, running).stream()
                .collect(Collectors.toMap(Decision::name, d -> d));

        assertThat(decisions).hasSize(history.size());
        for (Manifest m : history) {
            Decision d = decisions.get(m.name());
            Instant expiry = m.expiresAt() != null ? m.expiresAt() : m.startedAt().plus(RETENTION);
            if (m.phase() == Phase.Deleting) {
                assertThat(d.delete()).as("an unfinished deletion is finished: %s", d).isTrue();
            } else if (running.contains(m.name())) {
                assertThat(d.delete()).as("a running backup is kept: %s", d).isFalse();
            } else if (m.phase() == Phase.InProgress) {
                assertThat(d.delete()).as("an incomplete backup goes once older than the retention: %s", d)
                        .isEqualTo(!m.startedAt().plus(RETENTION).isAfter(NOW));
            } else if (expiry.isAfter(NOW)) {
                assertThat(d.delete()).as("nothing unexpired is deleted: %s", d).isFalse();
            } else if (d.delete()) {
                assertThat(d.category()).isEqualTo("expired");
            } else {
                assertThat(d.category()).as("an expired one is kept only by a keep rule: %s", d).startsWith("keep-");
            }
        }
        List<Manifest> completed = history.stream().filter(m -> m.phase() == Phase.Completed)
                .sorted((a, b) -> b.startedAt().compareTo(a.startedAt())).toList();
        completed.stream().limit(keepLast).forEach(m -> assertThat(decisions.get(m.name()).delete())
                .as("the newest Completed restore points stay").isFalse());

        List<Manifest> left = history.stream().filter(m -> !decisions.get(m.name()).delete()).toList();
        assertThat(rules.decide(left, NOW, running)).as("a second purge deletes nothing").noneMatch(Decision::delete);
    }

    @Test
    void keepRulesKeepTheFirstBackupOfEachPeriod() {
        List<Manifest> history = new ArrayList<>();
        for (int day = 0; day < 10; day++) {
            for (int hour : new int[] {0, 4, 8}) {
                Instant started = Instant.parse("2026-11-01T00:00:00Z").plus(Duration.ofDays(day)).plus(Duration.ofHours(hour));
                history.add(new Manifest(1, "d" + day + "h" + hour, Phase.Completed, started, null, started.plus(Duration.ofDays(1)),
                        "c", Selection.everything(), 0, null, null, null, null, null, null, null, null));
            }
        }
        RetentionRules rules = new RetentionRules(RETENTION, null, 1, 3, 0, 0);

        Set<String> kept = new HashSet<>();
        rules.decide(history, NOW, Set.of()).stream().filter(d -> !d.delete()).forEach(d -> kept.add(d.name()));

        assertThat(kept).containsExactlyInAnyOrder("d9h8", "d9h0", "d8h0", "d7h0");
    }
}
