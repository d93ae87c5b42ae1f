package jobs.report;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * A self-contained HTML page (inline CSS and SVG, no external assets): totals per job, a chart of duration and
 * objects per run over time, and the table of executions, failures first.
 */
public final class HtmlReport {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 240;
    private static final int PAD = 40;

    private HtmlReport() {
    }

    public static String render(List<ExecutionReport> rows, Instant generatedAt) {
        return render(rows, generatedAt, null);
    }

    /** With {@code storage}, also the bytes stored per day and a chart of changes per restore point. */
    public static String render(List<ExecutionReport> rows, Instant generatedAt, StorageReport storage) {
        StringBuilder html = new StringBuilder(4096 + rows.size() * 400);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>kbackup report</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left;vertical-align:top}")
                .append("th{background:#f0f0f0}.FAILED,.PARTIALLY_FAILED{background:#fde2e2}.COMPLETED{background:#e6f4ea}")
                .append(".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 16px}</style></head><body>")
                .append("<h1>kbackup report</h1><p>Generated ").append(generatedAt).append(", ").append(rows.size())
                .append(" executions.</p><h2>Totals</h2><table><tr><th>job</th><th>executions</th><th>failed</th>")
                .append("<th>objects</th><th>seconds</th><th>hooks (failed)</th></tr>");
        for (Reports.Totals t : Reports.totals(rows)) {
            html.append("<tr><td>").append(t.job()).append("</td><td>").append(t.executions()).append("</td><td>").append(t.failed())
                    .append("</td><td>").append(t.objects()).append("</td><td>").append(String.format("%.1f", t.seconds()))
                    .append("</td><td>").append(t.hooks()).append(" (").append(t.hooksFailed()).append(")</td></tr>");
        }
        html.append("</table><h2>Duration and objects per run</h2>").append(chart(rows))
                .append("<h2>Executions</h2><table><tr><th>job</th><th>id</th><th>status</th><th>exit</th><th>start</th>")
                .append("<th>end</th><th>seconds</th><th>objects</th><th>steps (read/write/skip/commits)</th><th>parameters</th>")
                .append("<th>exit description</th></tr>");
        for (ExecutionReport r : rows) {
            html.append("<tr class=\"").append(r.exitCode()).append("\"><td>").append(r.job()).append("</td><td>").append(r.id())
                    .append("</td><td>").append(r.status()).append("</td><td>").append(r.exitCode()).append("</td><td>")
                    .append(r.start()).append("</td><td>").append(r.end() == null ? "-" : r.end()).append("</td><td>")
                    .append(String.format("%.1f", r.durationSeconds())).append("</td><td>").append(r.objects()).append("</td><td>");
            r.steps().forEach(s -> html.append(escape(s.name())).append(' ').append(s.read()).append('/').append(s.write())
                    .append('/').append(s.skip()).append('/').append(s.commits()).append("<br>"));
            if (r.hooks() > 0) {
                html.append("hooks ").append(r.hooks()).append(" run, ").append(r.hooksFailed()).append(" failed<br>");
            }
            html.append("</td><td>").append(escape(r.parameters())).append("</td><td>")
                    .append(r.exitDescription() == null ? "" : escape(r.exitDescription())).append("</td></tr>");
        }
        html.append("</table>");
        if (storage != null && !storage.points().isEmpty()) {
            html.append("<h2>Changes since the previous restore point</h2>").append(changes(storage.points()))
                    .append("<h2>Stored per day (UTC)</h2><table><tr><th>day</th><th>restore points</th><th>new bytes</th>")
                    .append("<th>new objects</th></tr>");
            for (StorageReport.Day d : storage.perDay()) {
                html.append("<tr><td>").append(d.day()).append("</td><td>").append(d.restorePoints()).append("</td><td>")
                        .append(d.newBytes()).append("</td><td>").append(d.newObjects()).append("</td></tr>");
            }
            html.append("</table>");
        }
        return html.append("</body></html>\n").toString();
    }

    /** Bars: objects changed, added or removed since the previous restore point of the same selection. */
    private static String changes(List<StorageReport.Point> points) {
        StringBuilder svg = new StringBuilder("<div class=\"legend\"><span style=\"background:#f9ab00\"></span>changes</div>")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"changes per restore point\">")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
        double max = Math.max(1, points.stream().mapToLong(p -> p.changes() == null ? 0 : p.changes()).max().orElse(1));
        double step = (WIDTH - 2.0 * PAD) / points.size();
        double plot = HEIGHT - 2.0 * PAD;
        for (int i = 0; i < points.size(); i++) {
            StorageReport.Point p = points.get(i);
            long changes = p.changes() == null ? 0 : p.changes();
            double height = plot * changes / max;
            svg.append(String.format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f9ab00\"><title>%s: %s changes, "
                    + "%d new bytes</title></rect>", PAD + i * step + step * 0.15, HEIGHT - PAD - height, step * 0.7, height,
                    escape(p.name()), p.changes() == null ? "first, no" : String.valueOf(changes), p.newBytes()));
        }
        return svg.append(String.format("<text x=\"4\" y=\"%d\" font-size=\"11\">%.0f changes</text>", PAD - 8, max))
                .append("</svg>").toString();
    }

    /** Bars for objects, a line for duration, one point per run in time order. */
    private static String chart(List<ExecutionReport> rows) {
        List<ExecutionReport> runs = rows.stream().filter(r -> r.start() != null)
                .sorted(Comparator.comparing(ExecutionReport::start)).toList();
        StringBuilder svg = new StringBuilder();
        svg.append("<div class=\"legend\"><span style=\"background:#8ab4f8\"></span>objects<span style=\"background:#d93025\"></span>")
                .append("duration (s)</div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"duration and objects per run\">")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
        if (runs.isEmpty()) {
            return svg.append("<text x=\"20\" y=\"30\">no runs</text></svg>").toString();
        }
        double maxObjects = Math.max(1, runs.stream().mapToLong(ExecutionReport::objects).max().orElse(1));
        double maxSeconds = Math.max(0.001, runs.stream().mapToDouble(ExecutionReport::durationSeconds).max().orElse(1));
        double step = (WIDTH - 2.0 * PAD) / runs.size();
        double plot = HEIGHT - 2.0 * PAD;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < runs.size(); i++) {
            ExecutionReport r = runs.get(i);
            double x = PAD + i * step;
            double barHeight = plot * r.objects() / maxObjects;
            svg.append(String.format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#8ab4f8\"><title>%s %d: %d objects</title></rect>",
                    x + step * 0.15, HEIGHT - PAD - barHeight, step * 0.7, barHeight, r.job(), r.id(), r.objects()));
            line.append(String.format("%.1f,%.1f ", x + step / 2, HEIGHT - PAD - plot * r.durationSeconds() / maxSeconds));
        }
        svg.append("<polyline fill=\"none\" stroke=\"#d93025\" stroke-width=\"2\" points=\"").append(line.toString().trim()).append("\"/>")
                .append(String.format("<text x=\"4\" y=\"%d\" font-size=\"11\">%.0f objects / %.1f s</text>", PAD - 8, maxObjects, maxSeconds))
                .append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", PAD, HEIGHT - 12, runs.get(0).start()))
                .append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", WIDTH - PAD, HEIGHT - 12,
                        runs.get(runs.size() - 1).start()));
        return svg.append("</svg>").toString();
    }

    private static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
