package jobs.hooks;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Velero's annotations write them, in Go's {@code time.ParseDuration} syntax: a sequence of decimal
 * numbers with units ({@code 300ms}, {@code 1m30s}, {@code 1.5h}; units ns, us, µs, ms, s, m, h). A number without
 * a unit ({@code 300}) is refused, never read as seconds.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < s.length() && m.find(at) && m.start() == at) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw new IllegalArgumentException("is not a duration with a unit (30s, 2m, 1m30s)");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** In the same syntax, shortest first: {@code 10m}, {@code 1m30s}, {@code 250ms}. */
    public static String format(Duration d) {
        StringBuilder out = new StringBuilder();
        if (d.toHours() > 0) {
            out.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            out.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            out.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0 || out.isEmpty()) {
            out.append(d.toMillisPart()).append("ms");
        }
        return out.toString();
    }
}
