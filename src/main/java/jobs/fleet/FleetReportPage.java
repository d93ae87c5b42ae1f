package jobs.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The fleet report as one self-contained HTML page (inline CSS and SVG, no external assets): the members, those
 * that need a look first, then a section per member with a chart of its restore points and its failures. Rendered
 * by Thymeleaf, which escapes every value it prints (causes quote API servers and storage).
 */
public final class FleetReportPage {

    static final int WIDTH = 900;
    static final int HEIGHT = 200;
    private static final int PAD = 24;
    private static final TemplateEngine ENGINE = engine();

    private FleetReportPage() {
    }

    public static String render(List<FleetReport.MemberStatus> rows, Instant generatedAt, Duration grace) {
        Context context = new Context(Locale.ROOT);
        context.setVariable("generatedAt", generatedAt);
        context.setVariable("grace", FleetReport.human(grace));
        context.setVariable("width", WIDTH);
        context.setVariable("height", HEIGHT);
        context.setVariable("breaches", rows.stream().filter(FleetReport.MemberStatus::breach).count());
        context.setVariable("failing", rows.stream().filter(r -> !r.failures().isEmpty()).count());
        context.setVariable("rows", rows.stream().map(FleetReportPage::row).toList());
        return ENGINE.process("fleet-report", context);
    }

    /** What the template shows of a member, with its chart laid out. */
    private static Map<String, Object> row(FleetReport.MemberStatus s) {
        Map<String, Object> row = new HashMap<>();
        row.put("member", s.member());
        row.put("state", s.state());
        row.put("newest", s.newest());
        row.put("age", s.age() == null ? "-" : FleetReport.human(s.age()));
        row.put("frequency", FleetReport.human(s.frequency()));
        row.put("failures", s.failures().size());
        row.put("objects", s.objects());
        row.put("volumes", s.volumes());
        row.put("storedBytes", s.storedBytes());
        row.put("restorePoints", s.restorePoints());
        row.put("unreadable", s.unreadable());
        row.put("failureRows", s.failures().stream().map(f -> Map.of("at", f.at(), "job", f.job(),
                "execution", f.execution() == null ? "-" : f.execution(), "cause", f.cause() == null ? "" : f.cause())).toList());
        long max = Math.max(1, s.history().stream().mapToLong(FleetReport.Point::objects).max().orElse(1));
        row.put("scale", max + " objects");
        row.put("bars", bars(s.history(), max));
        return row;
    }

    /** A bar per restore point, its height the objects it holds, its colour its phase. */
    private static List<Map<String, String>> bars(List<FleetReport.Point> points, long max) {
        double step = (WIDTH - 2.0 * PAD) / Math.max(1, points.size());
        double plot = HEIGHT - 2.0 * PAD;
        return java.util.stream.IntStream.range(0, points.size()).mapToObj(i -> {
            FleetReport.Point p = points.get(i);
            double height = Math.max(1, plot * p.objects() / max);
            return Map.of("x", fmt(PAD + i * step + step * 0.15), "y", fmt(HEIGHT - PAD - height), "width", fmt(step * 0.7),
                    "height", fmt(height), "color", color(p.phase()),
                    "title", p.name() + " " + p.at() + ": " + p.phase() + ", " + p.objects() + " objects");
        }).toList();
    }

    private static String color(String phase) {
        return switch (phase) {
            case "Completed" -> "#34a853";
            case "PartiallyFailed" -> "#f9ab00";
            case "Failed" -> "#d93025";
            default -> "#9aa0a6";
        };
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static TemplateEngine engine() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(FleetReportPage.class.getClassLoader());
        resolver.setPrefix("templates/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        TemplateEngine engine = new TemplateEngine();
        engine.setTemplateResolver(resolver);
        return engine;
    }
}
