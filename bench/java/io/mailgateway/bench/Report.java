package io.mailgateway.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import io.mailgateway.bench.Benchmark.Latency;
import io.mailgateway.bench.Benchmark.Row;
import io.mailgateway.bench.Benchmark.Settings;
import io.mailgateway.bench.Benchmark.Startup;

/** The benchmark's results as Markdown tables, the report docs/benchmarks.md and its chart. */
final class Report {

    private final Settings settings;
    private final List<Row> rows;
    private final List<Startup> startups;
    private final String revision;

    /** @param revision the commit the measured gateway was built from, see {@link #revision()} */
    Report(Settings settings, List<Row> rows, List<Startup> startups, String revision) {
        this.settings = settings;
        this.rows = rows;
        this.startups = startups;
        this.revision = revision;
    }

    /** The results, the ratios and the start-up, as Markdown tables. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("| Relay | Contender | Messages/s | Latency p50 / p99 at max rate | Latency p50 / p99 at half rate"
                + " | CPU s per 1,000 messages | RSS | Live heap |\n");
        out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %d MB | %d MB |%n",
                    row.relay().label(), contender(row.contender()), rate(row.perSecond()), latency(row.atMax()),
                    latency(row.atHalf()), row.cpuPer1000(), row.rssBytes() >> 20, row.heapBytes() >> 20));
        }
        out.append("\n| Relay | Gateway / ceiling | Gateway / naive baseline |\n| --- | ---: | ---: |\n");
        for (Benchmark.Relay relay : rows.stream().map(Row::relay).distinct().toList()) {
            double gateway = find(relay, Benchmark.GATEWAY).map(Row::perSecond).orElse(Double.NaN);
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", relay.label(),
                    gateway / find(relay, Benchmark.CEILING).map(Row::perSecond).orElse(Double.NaN),
                    gateway / find(relay, Benchmark.NAIVE).map(Row::perSecond).orElse(Double.NaN)));
        }
        out.append("\n| Gateway start-up | Start to ready | RSS when idle | Live heap when idle |\n| --- | ---: | ---: | ---: |\n");
        for (Startup startup : startups) {
            out.append(String.format(Locale.ROOT, "| against %s | %.1f s | %d MB | %d MB |%n", startup.relay().label(),
                    startup.seconds(), startup.idleRssBytes() >> 20, startup.idleHeapBytes() >> 20));
        }
        return out.toString();
    }

    /** Writes benchmarks.md and benchmarks.png into the folder. */
    void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        writeChart(folder.resolve("benchmarks.png"));
        Files.writeString(folder.resolve("benchmarks.md"), markdown());
    }

    private String markdown() {
        String relays = String.join("\n", rows.stream().map(Row::relay).distinct()
                .map(r -> "- **" + r.label() + "**: " + r.description()
                        + (r.name().equals("postfix") ? ", Postfix " + postfixVersion() : ""))
                .toList());
        return """
                # Benchmarks

                How fast the gateway turns mail requests on Kafka into mails accepted by an SMTP relay, next to the
                fastest a plain SMTP client gets over the same connections (the *ceiling*) and a plain Camel
                `kafka → smtp` route (the *naive baseline*, what a kafka-source → mail-sink pipe does).

                ![Messages per second and CPU per 1,000 messages](benchmarks.png)

                ## Results

                Measured %s on %s, %s; gateway %s. %,d messages per contender and relay after %,d warm-up
                messages; %d SMTP connections (`SMTP_POOL_SIZE`), `GATEWAY_PARALLEL_SENDS=%d`, %d partitions on the
                request topic; every JVM started with `%s`. Kafka %s runs as a single broker on the same machine,
                so broker, relay and contender share its %d cores.

                %s
                ## What bounds the gateway

                On two cores the gateway is bound by CPU, not by the relay: broker, relay, load generator and
                gateway share the machine, and the gateway spends several times the ceiling's CPU per message
                (right-hand chart). The ceiling only writes SMTP; for each mail the gateway also validates the
                request against its JSON Schema, renders and composes it, publishes its result and records it
                in the state topic (two writes that Kafka must acknowledge before the offset is committed),
                follows the state topic that every instance shares, and routes all of that through Camel. A
                Java Flight Recorder profile of the gateway at its maximum rate (`jcmd PID JFR.start
                settings=profile`) puts most of its CPU in the Kafka clients, the SMTP session (TLS included),
                MIME composition and request parsing, with no single hot spot left to remove; the one there was
                (Jakarta Mail looking up its stream provider on every multipart) is gone. Latency at half the
                maximum rate is mostly the two acknowledged Kafka writes, which take milliseconds each while the
                machine is busy. More cores, or a broker and relay on machines of their own, move the bound.

                ## Run it

                ```bash
                bench/run                  # the full benchmark; writes docs/benchmarks.md and docs/benchmarks.png
                BENCH_SMOKE=1 bench/run    # a quick check that the benchmark still works (50 messages), as CI runs it
                ```

                `bench/run` builds the gateway, installs and starts Postfix as a submission relay on loopback (it
                reconfigures the machine's MTA, so it runs only where `CI=true` or
                `MAIL_GATEWAY_DISPOSABLE_MACHINE=true`; `BENCH_RELAYS=local` needs neither), and runs every
                contender against every relay. Settings, all environment variables:

                | Variable | Default | Meaning |
                | --- | --- | --- |
                | `BENCH_MESSAGES` | `3000` (`50` with `BENCH_SMOKE=1`) | measured messages per contender and relay |
                | `BENCH_WARMUP` | a tenth of the messages, at most 500 | messages sent first and not measured |
                | `SMTP_POOL_SIZE` | `4` | the gateway's SMTP connections, and the ceiling's |
                | `GATEWAY_PARALLEL_SENDS` | 4 × `SMTP_POOL_SIZE` | the gateway's concurrent sends: more than its connections, so that waiting for Kafka overlaps with other sends |
                | `BENCH_PARTITIONS` | `SMTP_POOL_SIZE` | partitions of the request topics |
                | `BENCH_RELAYS` | `postfix,local` | relays to run against |
                | `BENCH_PACED_SECONDS` | `60` (`5` with `BENCH_SMOKE=1`) | the half-rate run produces for at most this long |
                | `BENCH_STALL_SECONDS` | `120` | a run fails when no message completed for this long |
                | `BENCH_JVM_OPTS` | `-Xmx512m` | JVM options of every contender |
                | `BENCH_OUTPUT` | `docs` (`target/bench` with `BENCH_SMOKE=1`) | where the report goes |

                Any other gateway variable set when calling `bench/run` (e.g. `GATEWAY_CONSUMERS`) reaches the
                gateway unchanged. Logs of every process are in `target/bench/`.

                ## What is measured

                Every contender sends the same mail: subject, text and HTML given inline (about 2 KB), one
                recipient, over STARTTLS with AUTH, the relay's certificate and host name verified. Each runs as its
                own JVM, so CPU and memory are its own.

                - **gateway**: the packaged jar (`target/mail-gateway.jar`) with its bundled routes. The benchmark
                  publishes the requests to Kafka at once and waits until every request has a terminal result on
                  the results topic, each of them `SENT`. Messages/s is requests divided by the time from the first
                  request's record to the last result's record. Latency is per request: the result record's
                  timestamp minus the request record's. At the maximum rate all requests are published at once,
                  so that latency includes the time waiting in the backlog; a second run publishes requests at a
                  steady half of the measured maximum (for at most `BENCH_PACED_SECONDS`), which shows the latency
                  of a gateway that keeps up.
                - **ceiling**: a plain Angus Mail client (the library under camel-mail and the gateway) that keeps
                  `SMTP_POOL_SIZE` connections open, one sending thread each. No Kafka, validation or templates:
                  the most any gateway in front of this relay can reach with that many connections.
                - **naive**: one Camel route, `kafka → smtp`, with camel-mail's default sender, which opens,
                  negotiates STARTTLS, authenticates and closes one connection per message. It publishes no
                  results. Messages/s is from the first request's record to the last mail accepted.
                - **CPU s per 1,000 messages**: user plus system CPU time of the contender's process during the
                  measured messages (`/proc/PID/stat`), per 1,000 messages. **RSS**: resident memory right after
                  the run (`/proc/PID/status`, `VmRSS`). **Heap**: the live heap after the run, that is heap in use
                  after a full collection (`jcmd PID GC.run`, then `GC.heap_info`; the gateway's metrics carry no
                  JVM memory gauges).
                - **Start-up**: from starting the gateway's process to the first `200` of `/observe/health/ready`;
                  RSS and live heap three seconds later, before any request.

                Relays:

                %s
                """.formatted(LocalDate.now(), machine(), jdk(), revision, settings.messages(),
                settings.warmup(), settings.connections(), settings.parallelSends(), settings.partitions(),
                String.join(" ", settings.jvmOptions()), kafkaVersion(), Runtime.getRuntime().availableProcessors(),
                table(), relays);
    }

    private void writeChart(Path file) throws IOException {
        JFreeChart throughput = barChart("Messages per second (higher is better)", Row::perSecond, "#,##0.#");
        JFreeChart cpu = barChart("CPU seconds per 1,000 messages (lower is better)", Row::cpuPer1000, "0.0");
        int width = 1400;
        int height = 520;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        throughput.draw(g, new Rectangle(0, 0, width / 2, height));
        cpu.draw(g, new Rectangle(width / 2, 0, width / 2, height));
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private JFreeChart barChart(String title, ToDoubleFunction<Row> value, String format) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Row row : rows) {
            data.addValue(value.applyAsDouble(row), contender(row.contender()), row.relay().label());
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "relay", null, data);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0x2ca02c));
        renderer.setSeriesPaint(2, new Color(0xff7f0e));
        // small bars next to large ones stay readable through their labels
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(format)));
        renderer.setDefaultItemLabelsVisible(true);
        return chart;
    }

    private Optional<Row> find(Benchmark.Relay relay, String contender) {
        return rows.stream().filter(r -> r.relay().equals(relay) && r.contender().equals(contender)).findFirst();
    }

    private String contender(String name) {
        return switch (name) {
            case Benchmark.GATEWAY -> "gateway";
            case Benchmark.CEILING -> "ceiling (Angus Mail, " + settings.connections() + " reused connections)";
            case Benchmark.NAIVE -> "naive (Camel kafka → smtp)";
            default -> name;
        };
    }

    private static String rate(double perSecond) {
        return perSecond >= 100 ? String.format(Locale.ROOT, "%,.0f", perSecond)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    private static String latency(Latency latency) {
        return latency == null ? "–" : String.format(Locale.ROOT, "%,.0f / %,.0f ms", latency.p50(), latency.p99());
    }

    /** The machine in users' terms: cores, processor, memory, operating system, JDK. */
    private static String machine() {
        String cpu = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown processor");
        long memoryKb = read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        String os = read("/etc/os-release").lines().filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", "")).findFirst().orElse("Linux");
        return String.format(Locale.ROOT, "%d cores (%s), %d GB memory, %s", Runtime.getRuntime().availableProcessors(),
                cpu, Math.round(memoryKb / 1024.0 / 1024.0), os);
    }

    private static String jdk() {
        return "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")";
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.AppInfoParser.getVersion();
    }

    private static String postfixVersion() {
        return run("(version unknown)", "postconf", "-h", "mail_version");
    }

    /** The commit the gateway was built from, so a result can be matched to the code it measured. */
    static String revision() {
        return "commit " + run("(unknown)", "git", "describe", "--always", "--dirty");
    }

    /** The first line a command prints, or the fallback when it fails. */
    private static String run(String fallback, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).strip();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 && !output.isEmpty()
                    ? output.lines().findFirst().orElse(fallback) : fallback;
        } catch (IOException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
