package jobs.purge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import jobs.config.KbackupProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleTest {

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("PT4H", "00:00", "0 */4 * * *", "2026-11-27T12:00:00Z"),
                Arguments.of("PT6H", "01:30", "30 1/6 * * *", "2026-11-27T13:30:00Z"),
                Arguments.of("PT8H", "08:15", "15 */8 * * *", "2026-11-27T16:15:00Z"),
                Arguments.of("PT12H", "03:00", "0 3/12 * * *", "2026-11-27T15:00:00Z"),
                Arguments.of("P1D", "02:45", "45 2 * * *", "2026-11-28T02:45:00Z"));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("policies")
    void cronAndNextRunsFollowThePolicy(String frequency, String time, String cron, String firstRun) {
        Schedule schedule = Schedule.of(new KbackupProperties.Policy(Duration.parse(frequency), time, Duration.ofDays(7), 1, 0, 0, 0));

        assertThat(schedule.cron()).isEqualTo(cron);
        var runs = schedule.next(Instant.parse("2026-11-27T11:59:00Z"), 5);
        assertThat(runs).hasSize(5).first().isEqualTo(Instant.parse(firstRun));
        for (int i = 1; i < runs.size(); i++) {
            assertThat(Duration.between(runs.get(i - 1), runs.get(i))).isEqualTo(Duration.parse(frequency));
        }
    }
}
