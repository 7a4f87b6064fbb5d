package io.mailgateway.monitoring;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.TestRelay;

/**
 * Draws the panels of the Grafana dashboard ({@code docs/grafana-dashboard.json}) from a live run, for the README:
 * a real Prometheus scrapes a gateway (real Kafka broker, real SMTP relays, as in {@link PrometheusIT}) while it is
 * sent a steady mix of requests for about 90 seconds (mostly SENT, some FAILED, REJECTED and EXPIRED, one relay
 * failover); then every panel's queries run over that time with {@code /api/v1/query_range} (2 s steps, Grafana's
 * {@code $__rate_interval} as 30s and {@code $namespace} as {@code .*}), the panels are laid out on the dashboard's
 * 24-column grid as SVG charts in one HTML page, and headless Chromium takes its screenshot.
 *
 * <p>Not a test: a program, run from the repository's root with the test classpath:
 *
 * <pre>
 * mvn -o -q test-compile
 * java -cp target/test-classes:target/classes:$(mvn -o -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     io.mailgateway.monitoring.DashboardPicture docs/dashboard.png
 * </pre>
 */
public final class DashboardPicture {

    private static final Duration RUN = Duration.ofSeconds(90);
    private static final int LEAD_IN_SCRAPES = 10;
    private static final int STEP_SECONDS = 2;
    private static final String RATE_INTERVAL = "30s";
    private static final int WIDTH = 1600;
    private static final int HEIGHT = 1000;
    private static final int CAPTION_HEIGHT = 28;
    private static final int ROW_HEIGHT = 29;
    private static final int MARGIN = 8;
    private static final String[] PALETTE = {"#73BF69", "#F2CC0C", "#5794F2", "#FF9830", "#F2495C", "#B877D9",
        "#8AB8FF", "#FADE2A", "#96D98D", "#FFB357"};
    private static final Map<String, String> STATUS_COLOURS = Map.of("SENT", "#73BF69", "FAILED", "#F2495C",
            "REJECTED", "#FF9830", "EXPIRED", "#B877D9", "DEFERRED", "#F2CC0C", "SUPPRESSED", "#8AB8FF");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private DashboardPicture() {
    }

    public static void main(String[] args) throws Exception {
        Path png = Path.of(args.length > 0 ? args[0] : "docs/dashboard.png").toAbsolutePath();
        JsonNode dashboard = MonitoringFiles.JSON.readTree(MonitoringFiles.DASHBOARD.toFile());
        Path work = Files.createTempDirectory("dashboard-picture");
        TestRelay backup = new TestRelay(work.resolve("backup"), false);
        InJvmGateway gateway = null;
        PrometheusServer prometheus = null;
        try {
            int managementPort = FreePorts.next();
            Map<String, String> settings = new HashMap<>(MonitoringFiles.gatewayWithFailover(work, backup,
                    managementPort));
            // Deferred requests stay a while, so the retry backlog shows.
            settings.put("gateway.retry.schedule", "3s");
            settings.put("gateway.retry.max-age", "20s");
            gateway = InJvmGateway.start(work, settings);
            for (int i = 0; i < 100; i++) {
                gateway.relay().server().rejectRecipient("gone" + i + "@customer.example", 550, "5.1.1 user unknown");
                gateway.relay().server().rejectRecipient("busy" + i + "@customer.example", 450, "4.2.1 mailbox busy");
            }
            Path prometheusWork = Files.createDirectories(work.resolve("prometheus"));
            prometheus = PrometheusServer.start(prometheusWork, "127.0.0.1:" + managementPort, "/observe/metrics");
            int prometheusPort = prometheus.port();

            // A few seconds of the idle gateway first, so every chart starts from its baseline.
            PrometheusServer scraping = prometheus;
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> value(scraping, "count_over_time(up[1m])") >= LEAD_IN_SCRAPES);
            Instant start = Instant.now();
            sendTraffic(gateway);
            // Until the last deferred request expired and Prometheus has seen the backlog empty.
            await().atMost(Duration.ofSeconds(120)).until(() -> value(scraping,
                    "max_over_time(mail_gateway_retry_backlog[5s]) == 0 and min_over_time(up[5s]) == 1") >= 0);
            Instant end = Instant.now();

            Path page = work.resolve("dashboard.html");
            Files.writeString(page, html(dashboard, prometheusPort, start.minusSeconds(4), end));
            screenshot(page, png, work.resolve("chromium"));
            System.out.println("wrote " + png + " (" + Files.size(png) / 1024 + " KiB) from " + page);
        } finally {
            for (AutoCloseable closeable : new AutoCloseable[] {prometheus, gateway, backup}) {
                if (closeable != null) {
                    closeable.close();
                }
            }
        }
    }

    /**
     * About five requests a second for {@link #RUN}: most are sent; one in twelve goes to an unknown user (FAILED),
     * one in fifteen has no recipient (REJECTED), one in forty finds a busy mailbox (deferred, then EXPIRED), and one
     * in a hundred and fifty is of the tenant whose first relay is dead, so it fails over to the next relay (a counter
     * shows no increase until its second sample, so the first failover only creates the series).
     */
    private static void sendTraffic(InJvmGateway gateway) throws InterruptedException {
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        pace.scheduleAtFixedRate(() -> send(gateway, sent.getAndIncrement()), 0, 200, TimeUnit.MILLISECONDS);
        pace.schedule(pace::shutdown, RUN.toMillis(), TimeUnit.MILLISECONDS);
        if (!pace.awaitTermination(RUN.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            pace.shutdownNow();
            throw new IllegalStateException("the traffic did not stop after " + RUN);
        }
        System.out.println("sent " + sent.get() + " requests");
    }

    private static void send(InJvmGateway gateway, int i) {
        String id = "picture-" + UUID.randomUUID();
        String json;
        if (i % 150 == 75) {
            json = request(id, "bob@customer.example", "failover");
        } else if (i % 12 == 5) {
            json = request(id, "gone" + (i % 100) + "@customer.example", null);
        } else if (i % 15 == 9) {
            json = """
                    {"id": "%s", "subject": "no recipient", "text": "t"}""".formatted(id);
        } else if (i % 40 == 21) {
            json = request(id, "busy" + (i % 100) + "@customer.example", null);
        } else {
            json = request(id, "customer" + i + "@customer.example", i % 2 == 0 ? "acme" : null);
        }
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, json);
    }

    /** The first value an instant query answers, or -1 while it answers none. */
    private static double value(PrometheusServer prometheus, String promql) {
        JsonNode result = prometheus.query(promql).path("data").path("result");
        return result.isEmpty() ? -1 : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private static String request(String id, String recipient, String tenant) {
        return """
                {"id": "%s", "to": ["%s"], "subject": "Order confirmation", "text": "Hello"%s}""".formatted(id,
                recipient, tenant == null ? "" : ", \"tags\": {\"tenant\": \"" + tenant + "\"}");
    }


    private static JsonNode queryRange(int port, String promql, Instant start, Instant end) throws Exception {
        String uri = "http://127.0.0.1:" + port + "/api/v1/query_range?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + start.getEpochSecond() + "&end="
                + end.getEpochSecond() + "&step=" + STEP_SECONDS;
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = MonitoringFiles.JSON.readTree(response.body());
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + answer.path("error").asText());
        }
        return answer.path("data").path("result");
    }

    /** One line of a panel: its legend, colour, axis and points (NaN where Prometheus had no value). */
    record Series(String name, String colour, boolean right, long[] times, double[] values) {
    }

    private static String html(JsonNode dashboard, int port, Instant start, Instant end) throws Exception {
        StringBuilder body = new StringBuilder();
        double column = (WIDTH - MARGIN) / 24.0;
        int bottom = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            JsonNode grid = panel.path("gridPos");
            int x = (int) Math.round(MARGIN + grid.path("x").asInt() * column);
            int y = CAPTION_HEIGHT + grid.path("y").asInt() * ROW_HEIGHT;
            int w = (int) Math.round(grid.path("w").asInt() * column) - MARGIN;
            int h = grid.path("h").asInt() * ROW_HEIGHT - MARGIN;
            bottom = Math.max(bottom, y + h);
            List<Series> series = series(panel, port, start, end);
            if (series.isEmpty()) {
                throw new IllegalStateException("panel \"" + panel.path("title").asText() + "\" found no series");
            }
            String svg = "state-timeline".equals(panel.path("type").asText())
                    ? timeline(series, w, h - 26, start, end)
                    : chart(series, panel, w, h - 26, start, end);
            body.append("<div class=\"panel\" style=\"left:%dpx;top:%dpx;width:%dpx;height:%dpx\">".formatted(x, y, w, h))
                    .append("<div class=\"title\">").append(escape(panel.path("title").asText())).append("</div>")
                    .append(svg).append("</div>\n");
        }
        String caption = "Mail Gateway dashboard panels (docs/grafana-dashboard.json) drawn from a live run's"
                + " Prometheus, " + clock(start.getEpochSecond()) + "–" + clock(end.getEpochSecond()) + " UTC";
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><style>
                body { margin: 0; background: #111217; color: #ccccdc; font-family: sans-serif; width: %dpx; height: %dpx; position: relative; overflow: hidden; }
                .caption { position: absolute; left: %dpx; top: 6px; font-size: 14px; color: #9fa7b3; }
                .panel { position: absolute; box-sizing: border-box; background: #181b1f; border: 1px solid #2c3235; border-radius: 3px; }
                .title { height: 26px; line-height: 26px; padding-left: 8px; font-size: 13px; font-weight: 600; color: #d8d9da; }
                svg { display: block; }
                svg text { font-family: sans-serif; font-size: 11px; fill: #9fa7b3; }
                </style></head><body>
                <div class="caption">%s</div>
                %s</body></html>
                """.formatted(WIDTH, Math.max(HEIGHT, bottom + MARGIN), MARGIN, escape(caption), body);
    }

    private static List<Series> series(JsonNode panel, int port, Instant start, Instant end) throws Exception {
        List<String> rightAxis = new ArrayList<>();
        for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
            for (JsonNode property : override.path("properties")) {
                if ("custom.axisPlacement".equals(property.path("id").asText())
                        && "right".equals(property.path("value").asText())) {
                    rightAxis.add(override.path("matcher").path("options").asText());
                }
            }
        }
        List<Series> all = new ArrayList<>();
        for (JsonNode target : panel.path("targets")) {
            String promql = target.path("expr").asText().replace("$__rate_interval", RATE_INTERVAL)
                    .replace("$namespace", ".*");
            for (JsonNode result : queryRange(port, promql, start, end)) {
                Matcher label = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
                StringBuilder name = new StringBuilder();
                while (label.find()) {
                    label.appendReplacement(name,
                            Matcher.quoteReplacement(result.path("metric").path(label.group(1)).asText()));
                }
                label.appendTail(name);
                JsonNode values = result.path("values");
                long[] times = new long[values.size()];
                double[] points = new double[values.size()];
                for (int i = 0; i < values.size(); i++) {
                    times[i] = values.get(i).get(0).asLong();
                    points[i] = Double.parseDouble(values.get(i).get(1).asText());
                }
                String colour = STATUS_COLOURS.getOrDefault(name.toString(), PALETTE[all.size() % PALETTE.length]);
                all.add(new Series(name.toString(), colour, rightAxis.contains(name.toString()), times, points));
            }
        }
        return all;
    }

    private static String chart(List<Series> series, JsonNode panel, int width, int height, Instant start,
            Instant end) {
        String unit = panel.path("fieldConfig").path("defaults").path("unit").asText("short");
        boolean anyRight = series.stream().anyMatch(Series::right);
        JsonNode custom = panel.path("fieldConfig").path("defaults").path("custom");
        double fill = custom.path("fillOpacity").asDouble(0) / 100;
        double lineWidth = custom.path("lineWidth").asDouble(1) + 0.5;
        int legendRows = legendRows(series, width);
        int left = 58;
        int right = anyRight ? 52 : 14;
        int top = 8;
        int plotHeight = height - top - 22 - legendRows * 18;
        int plotWidth = width - left - right;
        long t0 = start.getEpochSecond();
        long t1 = end.getEpochSecond();
        StringBuilder svg = new StringBuilder("<svg width=\"%d\" height=\"%d\">".formatted(width, height));
        double leftMax = niceMax(series.stream().filter(s -> !s.right()).toList());
        double rightMax = niceMax(series.stream().filter(Series::right).toList());
        for (int i = 0; i <= 4; i++) {
            double y = top + plotHeight - plotHeight * i / 4.0;
            svg.append("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#2c3235\"/>"
                    .formatted(left, left + plotWidth, y, y));
            svg.append("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                    .formatted(left - 6, y + 4, format(leftMax * i / 4, unit)));
            if (anyRight) {
                svg.append("<text x=\"%d\" y=\"%.1f\">%s</text>"
                        .formatted(left + plotWidth + 6, y + 4, format(rightMax * i / 4, "s")));
            }
        }
        for (long t = (t0 + 14) / 15 * 15; t <= t1; t += 15) {
            double x = left + plotWidth * (t - t0) / (double) (t1 - t0);
            svg.append("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#22252b\"/>"
                    .formatted(x, x, top, top + plotHeight));
            svg.append("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                    .formatted(x, top + plotHeight + 15, clock(t)));
        }
        for (Series s : series) {
            double max = s.right() ? rightMax : leftMax;
            StringBuilder line = new StringBuilder();
            StringBuilder area = new StringBuilder();
            long previous = Long.MIN_VALUE;
            double firstX = 0;
            double lastX = 0;
            for (int i = 0; i < s.times().length; i++) {
                double value = s.values()[i];
                if (Double.isNaN(value) || Double.isInfinite(value)) {
                    previous = Long.MIN_VALUE;
                    continue;
                }
                double x = left + plotWidth * (s.times()[i] - t0) / (double) (t1 - t0);
                double y = top + plotHeight - plotHeight * Math.min(value, max) / max;
                boolean joined = previous != Long.MIN_VALUE && s.times()[i] - previous <= STEP_SECONDS;
                line.append(joined ? " L" : " M").append("%.1f %.1f".formatted(x, y));
                if (!joined) {
                    closeArea(area, firstX, lastX, top + plotHeight);
                    firstX = x;
                    area.append(" M%.1f %d L%.1f %.1f".formatted(x, top + plotHeight, x, y));
                } else {
                    area.append(" L%.1f %.1f".formatted(x, y));
                }
                lastX = x;
                previous = s.times()[i];
            }
            closeArea(area, firstX, lastX, top + plotHeight);
            svg.append("<path d=\"%s\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\"/>".formatted(area, s.colour(), fill));
            svg.append("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"/>".formatted(line, s.colour(),
                    lineWidth));
        }
        int x = left;
        int y = top + plotHeight + 34;
        for (Series s : series) {
            int itemWidth = legendWidth(s);
            if (x + itemWidth > width && x > left) {
                x = left;
                y += 18;
            }
            svg.append("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" rx=\"1\" fill=\"%s\"/>"
                    .formatted(x, y - 5, s.colour()));
            svg.append("<text x=\"%d\" y=\"%d\">%s</text>".formatted(x + 19, y, escape(legend(s, unit))));
            x += itemWidth;
        }
        return svg.append("</svg>").toString();
    }

    private static void closeArea(StringBuilder area, double firstX, double lastX, int baseline) {
        if (!area.isEmpty() && !area.toString().endsWith("Z")) {
            area.append(" L%.1f %d L%.1f %d Z".formatted(lastX, baseline, firstX, baseline));
        }
    }

    /** The series' name and its largest value over the run, which stays readable where the line hugs the axis. */
    private static String legend(Series s, String unit) {
        double max = Double.NaN;
        for (double v : s.values()) {
            if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                max = Double.isNaN(max) ? v : Math.max(max, v);
            }
        }
        return s.name() + (s.right() ? " (right axis)" : "") + " · max "
                + (Double.isNaN(max) ? "–" : format(max, s.right() ? "s" : unit));
    }

    private static int legendWidth(Series s) {
        return 40 + (int) (6.2 * (s.name().length() + (s.right() ? 13 : 0) + 18));
    }

    private static int legendRows(List<Series> series, int width) {
        int rows = 1;
        int x = 58;
        for (Series s : series) {
            if (x + legendWidth(s) > width && x > 58) {
                rows++;
                x = 58;
            }
            x += legendWidth(s);
        }
        return rows;
    }

    /** A state timeline: one row per series, green while 1 (UP), red while 0 (DOWN), as the panel's mappings say. */
    private static String timeline(List<Series> series, int width, int height, Instant start, Instant end) {
        int left = 190;
        int right = 14;
        int top = 6;
        int plotHeight = height - top - 22;
        int plotWidth = width - left - right;
        long t0 = start.getEpochSecond();
        long t1 = end.getEpochSecond();
        double rowHeight = plotHeight / (double) series.size();
        StringBuilder svg = new StringBuilder("<svg width=\"%d\" height=\"%d\">".formatted(width, height));
        for (int r = 0; r < series.size(); r++) {
            Series s = series.get(r);
            double y = top + r * rowHeight + rowHeight * 0.1;
            double h = rowHeight * 0.8;
            svg.append("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                    .formatted(left - 8, y + h / 2 + 4, escape(s.name())));
            int i = 0;
            while (i < s.times().length) {
                double value = s.values()[i];
                int j = i;
                while (j + 1 < s.times().length && s.values()[j + 1] == value
                        && s.times()[j + 1] - s.times()[j] <= STEP_SECONDS) {
                    j++;
                }
                double x0 = left + plotWidth * (s.times()[i] - t0) / (double) (t1 - t0);
                double x1 = left + plotWidth * (Math.min(s.times()[j] + STEP_SECONDS, t1) - t0) / (double) (t1 - t0);
                String colour = value >= 1 ? "#73BF69" : "#F2495C";
                svg.append("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\"/>"
                        .formatted(x0, y, Math.max(1, x1 - x0), h, colour));
                if (x1 - x0 > 40) {
                    svg.append("<text x=\"%.1f\" y=\"%.1f\" style=\"fill:#111217\">%s</text>"
                            .formatted(x0 + 6, y + h / 2 + 4, value >= 1 ? "UP" : "DOWN"));
                }
                i = j + 1;
            }
        }
        for (long t = (t0 + 14) / 15 * 15; t <= t1; t += 15) {
            double x = left + plotWidth * (t - t0) / (double) (t1 - t0);
            svg.append("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                    .formatted(x, top + plotHeight + 15, clock(t)));
        }
        return svg.append("</svg>").toString();
    }

    /** A round upper bound for the axis: 1, 2, 4, 6 or 8 times a power of ten (so quarters are round too), above the largest value. */
    private static double niceMax(List<Series> series) {
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        if (max <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(max)));
        for (double factor : new double[] {1, 2, 4, 6, 8, 10}) {
            if (factor * power >= max * 1.05) {
                return factor * power;
            }
        }
        return 10 * power;
    }

    private static String format(double value, String unit) {
        String number;
        if (value == 0) {
            number = "0";
        } else if ("s".equals(unit) && value < 1) {
            return trim(value * 1000) + " ms";
        } else {
            number = trim(value);
        }
        return switch (unit) {
            case "reqps" -> number + " req/s";
            case "s" -> number + " s";
            default -> number;
        };
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.2f", value);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    private static String clock(long epochSecond) {
        return LocalTime.ofInstant(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC).format(CLOCK);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void screenshot(Path page, Path png, Path profile) throws Exception {
        Files.createDirectories(png.getParent());
        Process chromium = new ProcessBuilder("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createDirectories(profile),
                "--window-size=" + WIDTH + "," + HEIGHT, "--screenshot=" + png, page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(profile.resolveSibling("chromium.log").toFile()).start();
        if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            throw new IllegalStateException("chromium took more than 60 s");
        }
        if (chromium.exitValue() != 0 || !Files.exists(png)) {
            throw new IllegalStateException("chromium failed: " + Files.readString(profile.resolveSibling("chromium.log")));
        }
    }
}
