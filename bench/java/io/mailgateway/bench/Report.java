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
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import io.mailgateway.bench.Benchmark.Latency;
import io.mailgateway.bench.Benchmark.Profile;
import io.mailgateway.bench.Benchmark.Results;
import io.mailgateway.bench.Benchmark.RetryDrain;
import io.mailgateway.bench.Benchmark.Row;
import io.mailgateway.bench.Benchmark.Scaling;
import io.mailgateway.bench.Benchmark.Settings;
import io.mailgateway.bench.Benchmark.Startup;

/** The benchmark's results as Markdown tables, the report docs/benchmarks.md and its chart. */
final class Report {

    /** The targets the gateway is measured against (issue "Throughput, round two"). */
    static final double MIN_RATE_RATIO = 0.8;
    static final double MAX_CPU_RATIO = 1.5;
    static final double MAX_P99_AT_HALF_MS = 50;
    static final double MAX_STARTUP_SECONDS = 2;
    static final double MIN_DRAIN_RATIO = 0.8;
    static final long MAX_LIVE_HEAP_BYTES = 64L << 20;

    private final Settings settings;
    private final Results results;
    private final List<Row> rows;
    private final String revision;

    /** @param revision the commit the measured gateway was built from, see {@link #revision()} */
    Report(Settings settings, Results results, String revision) {
        this.settings = settings;
        this.results = results;
        this.rows = results.rows();
        this.revision = revision;
    }

    /** Every table of the report, for the console. */
    String table() {
        return String.join("\n", targets(), results(), attachments(), retryDrain(), scaling(), profiles());
    }

    /** Each target, its measured figure and whether it is met. */
    String targets() {
        StringBuilder out = new StringBuilder("| Target | Goal | Measured | Met |\n| --- | ---: | ---: | --- |\n");
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.INLINE)) {
            target(out, "Messages/s, gateway / ceiling, against " + relay.label(), "≥ " + MIN_RATE_RATIO,
                    ratio(relay, BenchMessage.Kind.INLINE, Row::perSecond), v -> v >= MIN_RATE_RATIO, "%.2f");
        }
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.INLINE)) {
            target(out, "CPU per message, gateway / ceiling, against " + relay.label(), "≤ " + MAX_CPU_RATIO,
                    ratio(relay, BenchMessage.Kind.INLINE, Row::cpuPer1000), v -> v <= MAX_CPU_RATIO, "%.2f");
        }
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.INLINE)) {
            double p99 = find(relay, BenchMessage.Kind.INLINE, Benchmark.GATEWAY)
                    .map(r -> r.atHalf() == null ? Double.NaN : r.atHalf().p99()).orElse(Double.NaN);
            target(out, "p99 request → result at half the maximum rate, against " + relay.label(),
                    "≤ " + (int) MAX_P99_AT_HALF_MS + " ms", p99, v -> v <= MAX_P99_AT_HALF_MS, "%.0f ms");
        }
        target(out, "Start to ready (slowest start)", "≤ " + (int) MAX_STARTUP_SECONDS + " s",
                results.startups().stream().mapToDouble(Startup::seconds).max().orElse(Double.NaN),
                v -> v <= MAX_STARTUP_SECONDS, "%.1f s");
        for (RetryDrain drain : results.drains()) {
            if (drain.problem() != null) {
                out.append("| Retry drain rate / main rate, against ").append(drain.relay().label()).append(" | ≥ ")
                        .append(MIN_DRAIN_RATIO).append(" | ").append(drain.problem()).append(" | **not met** |\n");
                continue;
            }
            target(out, "Retry drain rate / main rate, against " + drain.relay().label(), "≥ " + MIN_DRAIN_RATIO,
                    drainRatio(drain), v -> v >= MIN_DRAIN_RATIO, "%.2f");
        }
        if (results.drains().isEmpty()) {
            out.append("| Retry drain rate / main rate | ≥ ").append(MIN_DRAIN_RATIO)
                    .append(" | not measured (needs the in-JVM sink) | – |\n");
        }
        double heap = Stream.concat(rows.stream().filter(r -> r.contender().equals(Benchmark.GATEWAY))
                        .map(Row::heapBytes), results.drains().stream().map(RetryDrain::heapBytes))
                .mapToLong(Long::longValue).max().orElse(-1);
        target(out, "Live heap of the gateway at the end of a run (largest of its runs)", "≤ "
                + (MAX_LIVE_HEAP_BYTES >> 20) + " MB", heap < 0 ? Double.NaN : heap / (1 << 20),
                v -> v <= MAX_LIVE_HEAP_BYTES >> 20, "%.0f MB");
        return out.toString();
    }

    private static void target(StringBuilder out, String what, String goal, double measured, DoublePredicate met,
            String format) {
        boolean known = !Double.isNaN(measured) && !Double.isInfinite(measured);
        out.append("| ").append(what).append(" | ").append(goal).append(" | ")
                .append(known ? String.format(Locale.ROOT, format, measured) : "not measured").append(" | ")
                .append(known ? (met.test(measured) ? "met" : "**not met**") : "–").append(" |\n");
    }

    /** The main scenario: every contender, the ratios and the gateway's start-up. */
    String results() {
        StringBuilder out = new StringBuilder();
        out.append("| Relay | Contender | Messages/s | Latency p50 / p99 at max rate | Latency p50 / p99 at half rate"
                + " | CPU s per 1,000 messages | RSS | Live heap |\n");
        out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row row : rows(BenchMessage.Kind.INLINE)) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %d MB | %d MB |%n",
                    row.relay().label(), contender(row.contender()), rate(row.perSecond()), latency(row.atMax()),
                    latency(row.atHalf()), row.cpuPer1000(), row.rssBytes() >> 20, row.heapBytes() >> 20));
        }
        out.append("\n| Relay | Gateway / ceiling | Gateway / naive baseline | CPU per message, gateway / ceiling |\n"
                + "| --- | ---: | ---: | ---: |\n");
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.INLINE)) {
            double gateway = find(relay, BenchMessage.Kind.INLINE, Benchmark.GATEWAY).map(Row::perSecond).orElse(Double.NaN);
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", relay.label(),
                    ratio(relay, BenchMessage.Kind.INLINE, Row::perSecond),
                    gateway / find(relay, BenchMessage.Kind.INLINE, Benchmark.NAIVE).map(Row::perSecond).orElse(Double.NaN),
                    ratio(relay, BenchMessage.Kind.INLINE, Row::cpuPer1000)));
        }
        out.append("\nThe ceiling's two runs, before the naive baseline and the gateway and after them (its row above is"
                + " their mean):\n\n");
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.INLINE)) {
            List<Row> runs = results.ceilingRuns().stream().filter(run -> run.relay().equals(relay)).toList();
            out.append("- against ").append(relay.label()).append(": ")
                    .append(runs.stream().map(run -> String.format(Locale.ROOT, "%s messages/s with %.2f CPU s per"
                            + " 1,000 messages", rate(run.perSecond()), run.cpuPer1000()))
                            .collect(Collectors.joining(", then ")))
                    .append('\n');
        }
        out.append("\n| Gateway start-up | Start to ready | RSS when idle | Live heap when idle |\n| --- | ---: | ---: | ---: |\n");
        for (Startup startup : results.startups()) {
            out.append(String.format(Locale.ROOT, "| against %s | %.1f s | %d MB | %d MB |%n", startup.relay().label(),
                    startup.seconds(), startup.idleRssBytes() >> 20, startup.idleHeapBytes() >> 20));
        }
        return out.toString();
    }

    /** Templated mail with a 100 KB attachment: gateway and ceiling per relay. */
    String attachments() {
        StringBuilder out = new StringBuilder("| Relay | Contender | Messages/s | CPU s per 1,000 messages | RSS | Live heap |"
                + "\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (Row row : rows(BenchMessage.Kind.ATTACHMENT)) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %d MB | %d MB |%n", row.relay().label(),
                    contender(row.contender()), rate(row.perSecond()), row.cpuPer1000(), row.rssBytes() >> 20,
                    row.heapBytes() >> 20));
        }
        out.append("\n| Relay | Gateway / ceiling | CPU per message, gateway / ceiling |\n| --- | ---: | ---: |\n");
        for (Benchmark.Relay relay : relays(BenchMessage.Kind.ATTACHMENT)) {
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", relay.label(),
                    ratio(relay, BenchMessage.Kind.ATTACHMENT, Row::perSecond),
                    ratio(relay, BenchMessage.Kind.ATTACHMENT, Row::cpuPer1000)));
        }
        return out.toString();
    }

    /** Deferred requests draining once the relay accepts again, next to the main scenario's rate. */
    String retryDrain() {
        StringBuilder out = new StringBuilder("| Relay | Requests | All deferred after | Drained in | Drain messages/s"
                + " | Main messages/s | Drain / main | CPU s per 1,000 messages | RSS | Live heap |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (RetryDrain drain : results.drains()) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %.1f s | %.1f s | %s | %s | %.2f | %.2f | %d MB | %d MB |%n",
                    drain.relay().label(), drain.requests(), drain.deferSeconds(), drain.drainSeconds(),
                    rate(drain.perSecond()), rate(mainRate(drain.relay())), drainRatio(drain), drain.cpuPer1000(),
                    drain.rssBytes() >> 20, drain.heapBytes() >> 20));
        }
        results.drains().stream().filter(d -> d.problem() != null)
                .forEach(d -> out.append("\nAgainst ").append(d.relay().label()).append(" the drain ").append(d.problem())
                        .append(": the drain figures cover the requests sent until then.\n"));
        return out.toString();
    }

    /** One instance against two in one consumer group. */
    String scaling() {
        StringBuilder out = new StringBuilder("| Relay | Instances | Partitions | Messages/s | Compared with one instance"
                + " | CPU s per 1,000 messages (all instances) | RSS (all) | Live heap (all) |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        double one = results.scalings().stream().filter(s -> s.instances() == 1).mapToDouble(Scaling::perSecond)
                .findFirst().orElse(Double.NaN);
        for (Scaling scaling : results.scalings()) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.2f | %.2f | %d MB | %d MB |%n",
                    scaling.relay().label(), scaling.instances(), scaling.partitions(), rate(scaling.perSecond()),
                    scaling.perSecond() / one, scaling.cpuPer1000(), scaling.rssBytes() >> 20,
                    scaling.heapBytes() >> 20));
        }
        return out.toString();
    }

    /** The gateway's hottest methods at each profiled rate. */
    String profiles() {
        StringBuilder out = new StringBuilder();
        for (Profile profile : results.profiles()) {
            out.append("Against ").append(profile.relay().label()).append(", at ").append(profile.rate())
                    .append(":\n\n| Part | CPU samples |\n| --- | ---: |\n");
            for (FlightRecording.Part part : profile.summary().parts()) {
                out.append(String.format(Locale.ROOT, "| %s | %.1f %% |%n", part.name(), part.share() * 100));
            }
            out.append("\n| # | Method on top of the stack | CPU samples |\n| ---: | --- | ---: |\n");
            int rank = 1;
            for (FlightRecording.TopFrame frame : profile.summary().frames()) {
                out.append(String.format(Locale.ROOT, "| %d | `%s` | %.1f %% |%n", rank++, frame.method(),
                        frame.share() * 100));
            }
            out.append('\n');
        }
        return out.isEmpty() ? "Not recorded (`BENCH_PROFILE=0`).\n" : out.toString();
    }

    private double ratio(Benchmark.Relay relay, BenchMessage.Kind kind, ToDoubleFunction<Row> value) {
        return find(relay, kind, Benchmark.GATEWAY).map(value::applyAsDouble).orElse(Double.NaN)
                / find(relay, kind, Benchmark.CEILING).map(value::applyAsDouble).orElse(Double.NaN);
    }

    private double mainRate(Benchmark.Relay relay) {
        return find(relay, BenchMessage.Kind.INLINE, Benchmark.GATEWAY).map(Row::perSecond).orElse(Double.NaN);
    }

    private double drainRatio(RetryDrain drain) {
        return drain.perSecond() / mainRate(drain.relay());
    }

    private List<Row> rows(BenchMessage.Kind kind) {
        return rows.stream().filter(r -> r.kind() == kind).toList();
    }

    private List<Benchmark.Relay> relays(BenchMessage.Kind kind) {
        return rows(kind).stream().map(Row::relay).distinct().toList();
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

                Measured %s on %s, %s; gateway %s. The gateway runs with %s: %d SMTP connections
                (`SMTP_POOL_SIZE`), %d parallel sends (`GATEWAY_PARALLEL_SENDS`), %d partitions on the request topic;
                the ceiling keeps as many connections as the gateway's pool. %,d messages per contender and relay
                after %,d warm-up messages; every JVM started with `%s`, the gateway's also with the JIT settings its
                image uses (`src/main/jvm/jvm.options`). Kafka %s runs as a single broker on the same machine, so
                broker, relay and contender share its %d cores.

                ## Targets

                Each target with the figure this run measured (ratios are the gateway's figure over the ceiling's,
                measured side by side in the same run).

                %s
                ## Results

                Inline mail (about 2 KB), every contender against every relay.

                %s
                ## Templates and attachments

                A request naming the bundled template `%s` in locale `%s` (rendered from its German variant) with a
                %d KB PDF attachment; the ceiling sends a message of about the same size (the same attachment,
                base64-encoded, next to a text and an HTML part), %,d messages each.

                %s
                ## Retries draining

                Against the in-JVM sink only: it answers `451` to every message until all %,d requests have a
                `DEFERRED` result, then accepts again. The gateway retries on a one-second schedule
                (`GATEWAY_RETRY_SCHEDULE=1s`), so every deferred request is due by the time the relay is back. The
                drain rate is the requests over the time from the relay accepting again to the last `SENT` result;
                the main rate is the gateway's maximum rate against the same relay above.

                %s
                ## Scaling

                One gateway instance, then two in the same consumer group, reading a request topic of %d partitions,
                in-JVM sink, %,d messages; CPU and memory summed over the instances.

                %s
                On this machine a second instance competes with the first for the same two cores (and with the
                broker and the relay), so it cannot add throughput; it adds a JVM's fixed memory and CPU of its own
                (Kafka clients, Camel's routes, its share of the state topic). What the table shows is the cost of
                running two, not the gain of a cluster.

                In a real cluster the throughput of N instances is bounded by the smallest of:

                - **Partitions**: an instance reads only the partitions assigned to it, and a partition is read by
                  one consumer of the group. Partitions of the request topic ≥ instances × `GATEWAY_CONSUMERS`, or
                  the instances beyond that idle. A partition's requests are handled up to
                  `GATEWAY_PARALLEL_SENDS` at a time within the instance, so few partitions do not starve one
                  instance, but they do cap how many instances can help.
                - **Connections**: each instance holds at most `SMTP_POOL_SIZE` connections, so the relay sees up
                  to N × `SMTP_POOL_SIZE`; a relay that limits connections per client (Postfix's
                  `smtpd_client_connection_count_limit`, 50 by default; hosted relays often 10–20) caps N ×
                  pool size. Rate per instance ≈ pool size ÷ time per message on a connection.
                - **Relay rate limits**: messages per second or per hour per account or sender; tenant limits in the
                  gateway are shared among the instances of the group, each taking an equal share.
                - **Instance CPU**: the gateway's CPU per message (above) × messages per second must fit the cores
                  an instance has; the maximum rate here is that bound on a shared 2-core machine.
                - **Broker**: per message the gateway writes a result and a state record (acks=all, replicated)
                  and commits offsets; the broker's write throughput and replication latency bound the sum over
                  instances, and latency grows with them.

                So: instances = desired rate ÷ rate per instance; partitions ≥ instances × consumers; instances ×
                pool size ≤ the relay's connection limit; and the sum stays under the relay's rate limit.

                ## Where the CPU goes

                %s
                Java Flight Recorder with the JDK's `profile` settings, started on the gateway (`jcmd PID JFR.start`)
                for a maximum-rate run and a half-rate run of their own, after the measured ones, so that the
                recording's cost does not count in the figures above (`BENCH_PROFILE=0` leaves these runs out). One
                recording covers both runs and starts as many requests earlier, which are not profiled: starting a
                recording makes the JVM instrument classes for its events and throw away compiled code that depends
                on them, so that about half the samples of the next seconds fall in interpreted code, which the
                measured runs did not run. Each CPU sample (`jdk.ExecutionSample`) counts to the part whose frame
                is nearest the top of its stack, so the JDK's methods count to the part that called them; the
                methods on top of the stack in most samples follow, with their share of all samples. When
                profiling, the gateway runs with `-XX:+DebugNonSafepoints`, without which samples in compiled code
                are put at the nearest safepoint and name the wrong methods.

                ## Run it

                ```bash
                bench/run                  # the full benchmark; writes docs/benchmarks.md and docs/benchmarks.png
                BENCH_SMOKE=1 bench/run    # a quick check that the benchmark still works (few messages), as CI runs it
                ```

                `bench/run` builds the gateway, installs and starts Postfix as a submission relay on loopback (it
                reconfigures the machine's MTA, so it runs only where `CI=true` or
                `MAIL_GATEWAY_DISPOSABLE_MACHINE=true`; `BENCH_RELAYS=local` needs neither), and runs every
                scenario. Settings, all environment variables:

                | Variable | Default | Meaning |
                | --- | --- | --- |
                | `BENCH_MESSAGES` | `3000` (`50` with `BENCH_SMOKE=1`) | measured messages per contender and relay |
                | `BENCH_WARMUP` | a tenth of the messages, at most 500 | messages sent first and not measured |
                | `BENCH_PARTITIONS` | `3` | partitions of the request topic (and of the results, retry, state and suppression topics) |
                | `BENCH_RELAYS` | `postfix,local` | relays to run against; the retry and scaling scenarios need `local` |
                | `BENCH_PACED_SECONDS` | `60` (`5` with `BENCH_SMOKE=1`) | the half-rate run produces for at most this long |
                | `BENCH_ATTACHMENT_MESSAGES` | `1000` (`20` with `BENCH_SMOKE=1`) | measured messages of the attachment scenario |
                | `BENCH_RETRY_REQUESTS` | `5000` (`50` with `BENCH_SMOKE=1`) | requests deferred and drained in the retry scenario |
                | `BENCH_PROFILE` | `1` | record the gateway with JFR and list its top frames (`0`: off) |
                | `BENCH_SCALING` | `1` | run the scaling scenario (`0`: skip it) |
                | `BENCH_STALL_SECONDS` | `120` | a run fails when no message completed for this long |
                | `BENCH_JVM_OPTS` | `-Xmx512m` | JVM options of every contender |
                | `BENCH_OUTPUT` | `docs` (`target/bench` with `BENCH_SMOKE=1`) | where the report goes |

                The gateway runs with its defaults. Any gateway variable set when calling `bench/run` reaches the
                gateway unchanged, e.g. `SMTP_POOL_SIZE=4 GATEWAY_PARALLEL_SENDS=16` for tuned settings (the
                ceiling then uses `SMTP_POOL_SIZE` connections too, and the report says "tuned"). Logs of every
                process, and the flight recordings, are in `target/bench/`.

                ## What is measured

                Every contender sends the same mail per scenario to one recipient, over STARTTLS with AUTH, the
                relay's certificate and host name verified. Each runs as its own JVM, so CPU and memory are its own.

                - **gateway**: the packaged jar (`target/mail-gateway.jar`) with its bundled routes and templates.
                  The benchmark publishes the requests to Kafka at once and waits until every request has a
                  terminal result on the results topic, each of them `SENT`. Messages/s is requests divided by the
                  time from the first request's record to the last result's record. Latency is per request: the
                  result record's timestamp minus the request record's. At the maximum rate all requests are
                  published at once, so that latency includes the time waiting in the backlog; a second run
                  publishes requests at a steady half of the measured maximum (for at most `BENCH_PACED_SECONDS`),
                  which shows the latency of a gateway that keeps up.
                - **ceiling**: a plain Angus Mail client (the library under camel-mail and the gateway) that keeps
                  as many connections open as the gateway's pool, one sending thread each. No Kafka, validation
                  or templates: the most any gateway in front of this relay can reach with that many connections.
                  With inline mail it runs twice, before the naive baseline and the gateway and after them, and
                  its row is the mean of both runs: on a shared machine one run of the same client can be a third
                  faster than the next, and a single run would move every ratio by as much.
                - **naive**: one Camel route, `kafka → smtp`, with camel-mail's default sender, which opens,
                  negotiates STARTTLS, authenticates and closes one connection per message. It publishes no
                  results. Messages/s is from the first request's record to the last mail accepted.
                - **CPU s per 1,000 messages**: user plus system CPU time of the contender's process during the
                  measured messages (`/proc/PID/stat`), per 1,000 messages. **RSS**: resident memory right after
                  the run (`/proc/PID/status`, `VmRSS`). **Live heap**: heap in use after a full collection at the
                  end of the run (`jcmd PID GC.run`, then `GC.heap_info`).
                - **Start-up**: from starting the gateway's process to the first `200` of `/observe/health/ready`;
                  RSS and live heap three seconds later, before any request.

                Relays:

                %s
                """.formatted(LocalDate.now(), machine(), jdk(), revision,
                settings.tuned() ? "settings given to the benchmark (tuned)" : "its default settings",
                settings.connections(), settings.parallelSends(), settings.partitions(), settings.messages(),
                settings.warmup(), String.join(" ", settings.jvmOptions()), kafkaVersion(),
                Runtime.getRuntime().availableProcessors(),
                targets(), results(),
                BenchMessage.TEMPLATE, BenchMessage.LOCALE, BenchMessage.ATTACHMENT_BYTES / 1024,
                settings.attachmentMessages(), attachments(),
                settings.retryRequests(), results.drains().isEmpty() ? "Not run (needs `BENCH_RELAYS` with `local`).\n"
                        : retryDrain(),
                Benchmark.SCALING_PARTITIONS, settings.messages(),
                results.scalings().isEmpty() ? "Not run (`BENCH_SCALING=0`, or no `local` in `BENCH_RELAYS`).\n"
                        : scaling(),
                profiles(), relays);
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
        for (Row row : rows(BenchMessage.Kind.INLINE)) {
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

    private Optional<Row> find(Benchmark.Relay relay, BenchMessage.Kind kind, String contender) {
        return rows.stream().filter(r -> r.relay().equals(relay) && r.kind() == kind && r.contender().equals(contender))
                .findFirst();
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
