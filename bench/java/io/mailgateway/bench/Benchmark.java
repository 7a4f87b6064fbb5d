package io.mailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.local.LocalSmtpServer;

/**
 * Measures the gateway end to end (Kafka in, SMTP out, results back to Kafka) against the ceiling (a plain SMTP
 * client over reused connections) and the naive baseline (a kafka-to-smtp Camel route), each in its own JVM, for
 * every relay; then templated mail with an attachment, retries draining after the relay refused, and one against two
 * instances. Prints a table and writes the report. Settings come from environment variables, see {@link Settings}.
 */
public final class Benchmark {

    private static final Path WORK = Path.of("target", "bench");
    private static final Path JAR = Path.of("target", "mail-gateway.jar");

    private static final Path PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    /** The topic layout the README and the issue reports suggest for one instance: 3 partitions. */
    static final int DEFAULT_PARTITIONS = 3;
    /** The scaling scenario: this many partitions, read by one and then by two instances. */
    static final int SCALING_PARTITIONS = 6;
    /** How many of the hottest methods a profile lists. */
    static final int TOP_FRAMES = 15;

    /**
     * @param messages           measured messages per contender and relay ({@code BENCH_MESSAGES})
     * @param warmup             messages each contender sends first, not measured ({@code BENCH_WARMUP})
     * @param connections        SMTP connections of the ceiling: {@code SMTP_POOL_SIZE} when set, else the
     *                           gateway's default pool size
     * @param parallelSends      the gateway's concurrent sends: {@code GATEWAY_PARALLEL_SENDS} when set, else its
     *                           default (for the report; the gateway reads the variable itself)
     * @param tuned              whether the gateway runs with SMTP_POOL_SIZE or GATEWAY_PARALLEL_SENDS set by the
     *                           caller rather than its defaults
     * @param partitions         partitions of the request topics ({@code BENCH_PARTITIONS})
     * @param pacedSeconds       how long the half-rate run produces, at most ({@code BENCH_PACED_SECONDS})
     * @param stall              a run fails when nothing progressed for this long ({@code BENCH_STALL_SECONDS})
     * @param retryRequests      requests deferred and then drained in the retry scenario ({@code BENCH_RETRY_REQUESTS})
     * @param attachmentMessages measured messages of the attachment scenario ({@code BENCH_ATTACHMENT_MESSAGES})
     * @param profile            record the gateway with JFR and list its top frames ({@code BENCH_PROFILE})
     * @param scaling            run the scaling scenario, one and two instances ({@code BENCH_SCALING})
     */
    record Settings(boolean smoke, int messages, int warmup, int connections, int parallelSends, boolean tuned,
            int partitions, List<String> relays, int pacedSeconds, Duration stall, List<String> jvmOptions,
            Path output, int retryRequests, int attachmentMessages, boolean profile, boolean scaling) {

        static Settings fromEnvironment() throws IOException {
            boolean smoke = flag("BENCH_SMOKE", false);
            int messages = Integer.parseInt(env("BENCH_MESSAGES", smoke ? "50" : "3000"));
            int connections = Integer.parseInt(env("SMTP_POOL_SIZE", gatewayDefault("gateway.smtp.pool.size")));
            return new Settings(smoke, messages,
                    Integer.parseInt(env("BENCH_WARMUP", String.valueOf(Math.max(1, Math.min(500, messages / 10))))),
                    connections,
                    Integer.parseInt(env("GATEWAY_PARALLEL_SENDS", gatewayDefault("gateway.parallel-sends"))),
                    System.getenv("SMTP_POOL_SIZE") != null || System.getenv("GATEWAY_PARALLEL_SENDS") != null,
                    Integer.parseInt(env("BENCH_PARTITIONS", String.valueOf(DEFAULT_PARTITIONS))),
                    List.of(env("BENCH_RELAYS", "postfix,local").split(",")),
                    Integer.parseInt(env("BENCH_PACED_SECONDS", smoke ? "5" : "60")),
                    Duration.ofSeconds(Long.parseLong(env("BENCH_STALL_SECONDS", "120"))),
                    List.of(env("BENCH_JVM_OPTS", "-Xmx512m").trim().split("\\s+")),
                    Path.of(env("BENCH_OUTPUT", smoke ? WORK.toString() : "docs")),
                    Integer.parseInt(env("BENCH_RETRY_REQUESTS", smoke ? "50" : "5000")),
                    Integer.parseInt(env("BENCH_ATTACHMENT_MESSAGES", smoke ? "20" : "1000")),
                    flag("BENCH_PROFILE", true),
                    flag("BENCH_SCALING", true));
        }

        boolean runs(String relay) {
            return relays.stream().anyMatch(r -> r.trim().equals(relay));
        }

        private static boolean flag(String name, boolean fallback) {
            String value = env(name, fallback ? "1" : "0");
            return value.equals("1") || value.equalsIgnoreCase("true");
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        /** The gateway's default of a setting: "key = {{env:VAR:default}}" in its application.properties. */
        static String gatewayDefault(String key) throws IOException {
            Pattern line = Pattern.compile("^" + Pattern.quote(key) + "\\s*=\\s*\\{\\{env:\\w+:([^}]*)}}\\s*$");
            return Files.readAllLines(PROPERTIES).stream().map(line::matcher).filter(Matcher::matches)
                    .map(m -> m.group(1).trim()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no default for " + key + " in " + PROPERTIES));
        }
    }

    /** An SMTP relay the contenders send to; {@code accepted} counts its accepted mails where it can. */
    record Relay(String name, String label, String description, String host, int port, String user, Path passwordFile, Path caPem,
            LongSupplier accepted) {
    }

    record Latency(double p50, double p99) {
    }

    /** One contender sending one kind of mail to one relay. Latencies are null where they do not apply. */
    record Row(Relay relay, BenchMessage.Kind kind, String contender, double perSecond, double cpuPer1000,
            long heapBytes, long rssBytes, Latency atMax, Latency atHalf) {

        /** Two runs of one contender as one row: the mean of their rates and CPU, the larger of their memory. */
        static Row mean(Row first, Row second) {
            return new Row(first.relay(), first.kind(), first.contender(), (first.perSecond() + second.perSecond()) / 2,
                    (first.cpuPer1000() + second.cpuPer1000()) / 2, Math.max(first.heapBytes(), second.heapBytes()),
                    Math.max(first.rssBytes(), second.rssBytes()), null, null);
        }
    }

    /** The gateway's start: from process start to ready, and its resident memory a few seconds later. */
    record Startup(Relay relay, double seconds, long idleRssBytes, long idleHeapBytes) {
    }

    /**
     * The retry scenario: requests deferred while the relay refused them (4xx), then sent once it accepts again.
     * {@code perSecond} is requests over the time from the relay accepting again to the last SENT result;
     * {@code problem} says why not every request was sent (null when all were).
     */
    record RetryDrain(Relay relay, int requests, double deferSeconds, double drainSeconds, double perSecond,
            double cpuPer1000, long heapBytes, long rssBytes, String problem) {
    }

    /** Instances of the gateway in one consumer group reading a topic of {@code partitions}; CPU and memory summed. */
    record Scaling(Relay relay, int instances, int partitions, double perSecond, double cpuPer1000, long heapBytes,
            long rssBytes) {
    }

    /** The gateway's hottest methods while it sent at one rate. */
    record Profile(Relay relay, String rate, FlightRecording.Summary summary) {
    }

    /** Everything one run measured. */
    record Results(List<Row> rows, List<Row> ceilingRuns, List<Startup> startups, List<RetryDrain> drains,
            List<Scaling> scalings, List<Profile> profiles) {

        Results() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
        }
    }

    /** What one burst of requests through the gateway measured. */
    private record Burst(double perSecond, double cpuPer1000, Latency latency) {
    }

    static final String GATEWAY = "gateway";
    static final String CEILING = "ceiling";
    static final String NAIVE = "naive";

    private final Settings settings;
    private final LocalKafkaBroker broker;
    private final RequestProducer producer;
    private final Results results = new Results();

    private Benchmark(Settings settings, LocalKafkaBroker broker) {
        this.settings = settings;
        this.broker = broker;
        this.producer = new RequestProducer(broker.bootstrapServers());
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        String revision = Report.revision();
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build it with 'mvn package' first");
        }
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        System.out.printf("Benchmark: %d messages (+%d warm-up) per contender, gateway %s (%d SMTP connections, %d"
                + " parallel sends), %d partitions, relays %s%n", settings.messages(), settings.warmup(),
                settings.tuned() ? "tuned" : "defaults", settings.connections(), settings.parallelSends(),
                settings.partitions(), settings.relays());

        LocalCertificate sinkCertificate = LocalCertificate.create(WORK.resolve("tls"));
        String sinkPassword = randomPassword();
        Results results;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(WORK.resolve("kafka"));
                LocalSmtpServer sink = LocalSmtpServer.builder()
                        .certificate(sinkCertificate)
                        .credentials("bench", sinkPassword)
                        .discardMessages()
                        .build()
                        .start()) {
            Relay local = new Relay("local", "in-JVM sink", "an SMTP server inside the benchmark's JVM (subethasmtp,"
                    + " STARTTLS + AUTH required) that counts and drops what it accepts",
                    LocalSmtpServer.HOST, sink.port(), "bench", secretFile("local-sink-password", sinkPassword),
                    sinkCertificate.caPemFile(), sink::acceptedCount);
            Benchmark benchmark = new Benchmark(settings, broker);
            results = benchmark.results;
            try {
                List<Relay> relays = new ArrayList<>();
                for (String name : settings.relays()) {
                    relays.add(switch (name.trim()) {
                        case "postfix" -> postfixRelay();
                        case "local" -> local;
                        default -> throw new IllegalArgumentException("unknown relay " + name + " in BENCH_RELAYS");
                    });
                }
                for (Relay relay : relays) {
                    // The ceiling runs before and after the others: this machine's speed drifts from one minute
                    // to the next, and the ratios compare the gateway with the mean of both runs.
                    Row ceilingBefore = benchmark.ceiling(relay, BenchMessage.Kind.INLINE, settings.warmup(),
                            settings.messages());
                    Row naive = benchmark.naive(relay);
                    benchmark.gateway(relay);
                    Row ceilingAfter = benchmark.ceiling(relay, BenchMessage.Kind.INLINE, settings.warmup(),
                            settings.messages());
                    results.ceilingRuns().addAll(List.of(ceilingBefore, ceilingAfter));
                    results.rows().add(Row.mean(ceilingBefore, ceilingAfter));
                    results.rows().add(naive);
                }
                for (Relay relay : relays) {
                    benchmark.attachments(relay);
                }
                if (settings.runs("local")) {
                    benchmark.retryDrain(local, sink);
                    if (settings.scaling()) {
                        benchmark.scaling(local);
                    }
                }
            } finally {
                benchmark.producer.close();
            }
        }
        Report report = new Report(settings, results, revision);
        System.out.println();
        System.out.println(report.table());
        report.write(settings.output());
        System.out.println("Report written to " + settings.output().resolve("benchmarks.md"));
    }

    // ---------------------------------------------------------------------------------------------- relays

    /** Postfix as set up by .ci/postfix-relay.sh: user and password from RELAY_USER and RELAY_PASSWORD. */
    private static Relay postfixRelay() throws IOException {
        String password = System.getenv("RELAY_PASSWORD");
        if (password == null || password.isBlank()) {
            throw new IllegalStateException("RELAY_PASSWORD is not set: run the benchmark with bench/run, which sets up"
                    + " Postfix, or choose BENCH_RELAYS=local");
        }
        String user = System.getenv().getOrDefault("RELAY_USER", "gateway");
        int port = Integer.parseInt(System.getenv().getOrDefault("RELAY_PORT", "2587"));
        return new Relay("postfix", "Postfix", "Postfix's submission service on loopback (STARTTLS + SASL AUTH"
                + " required), mail queued and then dropped by its discard transport",
                "localhost", port, user, secretFile("postfix-password", password),
                Path.of("/etc/postfix/relay-cert.pem"), null);
    }

    // ---------------------------------------------------------------------------------------------- contenders

    private Row ceiling(Relay relay, BenchMessage.Kind kind, int warmup, int messages) throws Exception {
        System.out.printf("%n== %s: ceiling (plain Angus Mail client, %d reused connections), %s mail%n", relay.name(),
                settings.connections(), kind.name().toLowerCase(Locale.ROOT));
        long acceptedBefore = accepted(relay);
        String log = "ceiling-" + relay.name() + "-" + kind.name().toLowerCase(Locale.ROOT) + ".log";
        try (ChildJvm client = ChildJvm.start("ceiling client", WORK.resolve(log),
                settings.jvmOptions(), CeilingClient.class, Map.of(),
                relay.host(), String.valueOf(relay.port()), relay.user(), relay.passwordFile().toString(),
                relay.caPem().toString(), String.valueOf(settings.connections()),
                String.valueOf(warmup), String.valueOf(messages), kind.name())) {
            client.await("READY", settings.stall());
            double cpuBefore = ProcessStats.cpuSeconds(client.pid());
            client.send("GO");
            String[] done = client.await("DONE", settings.stall());
            double cpu = ProcessStats.cpuSeconds(client.pid()) - cpuBefore;
            long rss = ProcessStats.residentBytes(client.pid());
            double seconds = Long.parseLong(done[1]) / 1e9;
            checkAccepted(relay, acceptedBefore, warmup + messages);
            Row row = new Row(relay, kind, CEILING, messages / seconds, cpu * 1000 / messages,
                    ProcessStats.liveHeapBytes(client.pid()), rss, null, null);
            System.out.printf("   %.0f messages/s; send time per message p50 %s ms, p99 %s ms%n", row.perSecond(),
                    done[2], done[3]);
            return row;
        }
    }

    private Row naive(Relay relay) throws Exception {
        System.out.printf("%n== %s: naive baseline (Camel kafka -> smtp route, one connection per message)%n",
                relay.name());
        String topic = "bench." + relay.name() + ".naive";
        broker.createTopics(settings.partitions(), topic);
        long acceptedBefore = accepted(relay);
        try (ChildJvm route = ChildJvm.start("naive route", WORK.resolve("naive-" + relay.name() + ".log"),
                settings.jvmOptions(), NaiveRoute.class, Map.of(),
                broker.bootstrapServers(), topic, relay.host(), String.valueOf(relay.port()), relay.user(),
                relay.passwordFile().toString(), relay.caPem().toString(),
                String.valueOf(settings.warmup()), String.valueOf(settings.messages()))) {
            producer.burst(topic, ids("naive-" + relay.name() + "-w-", settings.warmup()));
            route.await("WARM", settings.stall());
            double cpuBefore = ProcessStats.cpuSeconds(route.pid());
            Map<String, Long> producedAt = producer.burst(topic, ids("naive-" + relay.name() + "-m-", settings.messages()));
            String[] done = route.await("DONE", settings.stall());
            double cpu = ProcessStats.cpuSeconds(route.pid()) - cpuBefore;
            long rss = ProcessStats.residentBytes(route.pid());
            long firstProduced = producedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            double seconds = (Long.parseLong(done[1]) - firstProduced) / 1000.0;
            checkAccepted(relay, acceptedBefore, settings.warmup() + settings.messages());
            Row row = new Row(relay, BenchMessage.Kind.INLINE, NAIVE, settings.messages() / seconds,
                    cpu * 1000 / settings.messages(), ProcessStats.liveHeapBytes(route.pid()), rss, null, null);
            System.out.printf("   %.0f messages/s%n", row.perSecond());
            return row;
        }
    }

    /**
     * The main scenario: start-up, the maximum rate and the latency at half of it; when asked, both again with JFR
     * recording, for the profile only.
     */
    private void gateway(Relay relay) throws Exception {
        System.out.printf("%n== %s: gateway (packaged jar, %s: %d SMTP connections, %d parallel sends)%n",
                relay.name(), settings.tuned() ? "tuned" : "default settings", settings.connections(),
                settings.parallelSends());
        String prefix = "bench." + relay.name() + ".gateway.";
        createGatewayTopics(prefix, settings.partitions());
        long acceptedBefore = accepted(relay);
        try (ResultCollector collector = new ResultCollector(broker.bootstrapServers(), prefix + "results",
                settings.partitions());
                GatewayUnderTest gateway = startGateway(relay, prefix, "gateway-" + relay.name(), Map.of())) {
            // idle: ready, nothing to do yet
            double idleCpuBefore = ProcessStats.cpuSeconds(gateway.pid());
            Thread.sleep(3_000);
            double idleCpu = ProcessStats.cpuSeconds(gateway.pid()) - idleCpuBefore;
            Startup startup = new Startup(relay, gateway.startupSeconds(), ProcessStats.residentBytes(gateway.pid()),
                    ProcessStats.liveHeapBytes(gateway.pid()));
            results.startups().add(startup);
            System.out.printf("   ready after %.1f s; idle RSS %d MB; CPU in the first 3 s of idling %.0f ms%n",
                    startup.seconds(), startup.idleRssBytes() >> 20, idleCpu * 1000);

            String diagnostics = "See the gateway's log " + gateway.log();
            List<GatewayUnderTest> gateways = List.of(gateway);
            warmUp(prefix, collector, "gw-" + relay.name() + "-w-", settings.warmup(), BenchMessage.Kind.INLINE,
                    diagnostics);

            Burst max = burst(gateways, collector, prefix, "gw-" + relay.name() + "-m-", settings.messages(),
                    BenchMessage.Kind.INLINE, diagnostics);
            System.out.printf("   max rate: %.1f messages/s; latency p50 %.0f ms, p99 %.0f ms; SMTP attempt on average"
                    + " %.1f ms%n", max.perSecond(), max.latency().p50(), max.latency().p99(),
                    gateway.meanSmtpAttemptMillis());

            // Half the maximum, produced at a steady pace: the latency a request sees when the gateway keeps up.
            double halfRate = max.perSecond() / 2;
            int pacedCount = (int) Math.min(settings.messages(), Math.max(10, Math.round(halfRate * settings.pacedSeconds())));
            System.out.printf("   half rate: %d requests at %.1f per second ...%n", pacedCount, halfRate);
            List<String> paced = ids("gw-" + relay.name() + "-h-", pacedCount);
            double pacedCpuBefore = ProcessStats.cpuSeconds(gateway.pid());
            long pacedStart = System.nanoTime();
            Map<String, Long> pacedAt = producer.paced(prefix + "outbound", paced, halfRate);
            Map<String, ResultCollector.Result> pacedDone = collector.await(new HashSet<>(paced), settings.stall(),
                    () -> diagnostics);
            double pacedCpu = ProcessStats.cpuSeconds(gateway.pid()) - pacedCpuBefore;
            double pacedSeconds = (System.nanoTime() - pacedStart) / 1e9;
            requireSent(pacedDone, diagnostics);
            Latency atHalf = latency(pacedAt, pacedDone);
            System.out.printf("   half rate: latency p50 %.0f ms, p99 %.0f ms; gateway CPU %.2f s per 1,000 messages,"
                    + " %.0f %% of a core%n", atHalf.p50(), atHalf.p99(), pacedCpu * 1000 / pacedCount,
                    pacedCpu * 100 / pacedSeconds);
            System.out.printf("   half rate, where it went: %s%n", breakdown(pacedAt, producer.acknowledgedAt(),
                    pacedDone));
            // idle again, warmed up: what the gateway costs while no request comes
            double warmIdleBefore = ProcessStats.cpuSeconds(gateway.pid());
            Thread.sleep(3_000);
            System.out.printf("   idle after the runs: CPU %.0f ms in 3 s%n",
                    (ProcessStats.cpuSeconds(gateway.pid()) - warmIdleBefore) * 1000);

            int profiled = 0;
            if (settings.profile()) {
                // Recorded in runs of their own: a recording costs CPU, which would count against the measured runs.
                System.out.printf("   profiling: the maximum rate and half of it again, with JFR ...%n");
                // One recording for both runs, started before requests that are not profiled: starting a recording
                // makes the JVM instrument classes for JFR's events and throw away the compiled code that depends on
                // them, every time (seen: about half the samples of the following seconds in interpreted code, which
                // the measured runs did not run). The runs are told apart by the samples' time.
                FlightRecording recording = FlightRecording.start(gateway.pid(), "profile",
                        WORK.resolve("gateway-" + relay.name() + ".jfr"));
                burst(gateways, collector, prefix, "gw-" + relay.name() + "-pw-", settings.messages(),
                        BenchMessage.Kind.INLINE, diagnostics);
                Instant maxFrom = Instant.now();
                burst(gateways, collector, prefix, "gw-" + relay.name() + "-pm-", settings.messages(),
                        BenchMessage.Kind.INLINE, diagnostics);
                Instant halfFrom = Instant.now();
                List<String> pacedAgain = ids("gw-" + relay.name() + "-ph-", pacedCount);
                producer.paced(prefix + "outbound", pacedAgain, halfRate);
                requireSent(collector.await(new HashSet<>(pacedAgain), settings.stall(), () -> diagnostics), diagnostics);
                Instant halfTo = Instant.now();
                recording.stop();
                results.profiles().add(new Profile(relay, "maximum rate", recording.summary(TOP_FRAMES, maxFrom, halfFrom)));
                results.profiles().add(new Profile(relay, "half the maximum rate",
                        recording.summary(TOP_FRAMES, halfFrom, halfTo)));
                profiled = 2 * settings.messages() + pacedCount;
            }

            checkAccepted(relay, acceptedBefore, settings.warmup() + settings.messages() + pacedCount + profiled);
            long rss = ProcessStats.residentBytes(gateway.pid());
            long heap = ProcessStats.liveHeapBytes(gateway.pid());
            results.rows().add(new Row(relay, BenchMessage.Kind.INLINE, GATEWAY, max.perSecond(), max.cpuPer1000(),
                    heap, rss, max.latency(), atHalf));
        }
    }

    /** Templated mail in a locale with a 100 KB attachment: the ceiling and the gateway, same relay. */
    private void attachments(Relay relay) throws Exception {
        int messages = settings.attachmentMessages();
        int warmup = Math.max(1, Math.min(settings.warmup(), messages / 10));
        results.rows().add(ceiling(relay, BenchMessage.Kind.ATTACHMENT, warmup, messages));
        System.out.printf("%n== %s: gateway, template %s in %s with a %d KB attachment%n", relay.name(),
                BenchMessage.TEMPLATE, BenchMessage.LOCALE, BenchMessage.ATTACHMENT_BYTES / 1024);
        String prefix = "bench." + relay.name() + ".attachment.";
        createGatewayTopics(prefix, settings.partitions());
        long acceptedBefore = accepted(relay);
        try (ResultCollector collector = new ResultCollector(broker.bootstrapServers(), prefix + "results",
                settings.partitions());
                GatewayUnderTest gateway = startGateway(relay, prefix, "attachment-" + relay.name(), Map.of())) {
            String diagnostics = "See the gateway's log " + gateway.log();
            warmUp(prefix, collector, "att-" + relay.name() + "-w-", warmup, BenchMessage.Kind.ATTACHMENT, diagnostics);
            Burst burst = burst(List.of(gateway), collector, prefix, "att-" + relay.name() + "-m-", messages,
                    BenchMessage.Kind.ATTACHMENT, diagnostics);
            checkAccepted(relay, acceptedBefore, warmup + messages);
            long rss = ProcessStats.residentBytes(gateway.pid());
            results.rows().add(new Row(relay, BenchMessage.Kind.ATTACHMENT, GATEWAY, burst.perSecond(),
                    burst.cpuPer1000(), ProcessStats.liveHeapBytes(gateway.pid()), rss, burst.latency(), null));
            System.out.printf("   %.1f messages/s%n", burst.perSecond());
        }
    }

    /**
     * Retries draining: the relay answers 451 to every message until all requests were deferred, then accepts
     * again; the gateway retries on a 1 s schedule, so every deferred request is due about when the relay is back.
     */
    private void retryDrain(Relay relay, LocalSmtpServer sink) throws Exception {
        int requests = settings.retryRequests();
        System.out.printf("%n== %s: retry drain, %d requests deferred (451) and then sent%n", relay.name(), requests);
        String prefix = "bench." + relay.name() + ".retry.";
        createGatewayTopics(prefix, settings.partitions());
        long acceptedBefore = accepted(relay);
        try (ResultCollector collector = new ResultCollector(broker.bootstrapServers(), prefix + "results",
                settings.partitions());
                GatewayUnderTest gateway = startGateway(relay, prefix, "retry-" + relay.name(),
                        Map.of("GATEWAY_RETRY_SCHEDULE", "1s"))) {
            String diagnostics = "See the gateway's log " + gateway.log();
            warmUp(prefix, collector, "retry-" + relay.name() + "-w-", settings.warmup(), BenchMessage.Kind.INLINE,
                    diagnostics);
            List<String> ids = ids("retry-" + relay.name() + "-m-", requests);
            long deferStarted = System.currentTimeMillis();
            sink.rejectMessages(451, "4.3.0 try again later");
            try {
                producer.burst(prefix + "outbound", ids);
                collector.awaitDeferred(new HashSet<>(ids), settings.stall(), () -> diagnostics);
            } finally {
                sink.clearFaults();
            }
            long relayBack = System.currentTimeMillis();
            double cpuBefore = ProcessStats.cpuSeconds(gateway.pid());
            String problem = null;
            Map<String, ResultCollector.Result> done;
            try {
                done = collector.await(new HashSet<>(ids), settings.stall(), () -> diagnostics);
            } catch (IllegalStateException stalled) {
                // A drain that stops is a finding, not a reason to lose the rest of the run: report what drained.
                done = collector.terminal(new HashSet<>(ids));
                problem = "stalled: " + done.size() + " of " + requests + " sent, then none for "
                        + settings.stall().toSeconds() + " s";
                System.out.println("   " + problem + ". " + diagnostics);
            }
            double cpu = ProcessStats.cpuSeconds(gateway.pid()) - cpuBefore;
            requireSent(done, diagnostics);
            long last = done.values().stream().mapToLong(ResultCollector.Result::timestamp).max().orElse(relayBack);
            double drainSeconds = Math.max(1, last - relayBack) / 1000.0;
            if (problem == null) {
                checkAccepted(relay, acceptedBefore, settings.warmup() + requests);
            }
            long rss = ProcessStats.residentBytes(gateway.pid());
            RetryDrain drain = new RetryDrain(relay, requests, (relayBack - deferStarted) / 1000.0, drainSeconds,
                    done.size() / drainSeconds, cpu * 1000 / Math.max(1, done.size()),
                    ProcessStats.liveHeapBytes(gateway.pid()), rss, problem);
            results.drains().add(drain);
            System.out.printf("   all deferred after %.1f s; drained in %.1f s: %.1f messages/s%n",
                    drain.deferSeconds(), drain.drainSeconds(), drain.perSecond());
        }
    }

    /** One instance, then two in the same consumer group, reading a request topic of six partitions. */
    private void scaling(Relay relay) throws Exception {
        for (int instances = 1; instances <= 2; instances++) {
            System.out.printf("%n== %s: scaling, %d gateway instance(s), %d partitions%n", relay.name(), instances,
                    SCALING_PARTITIONS);
            String prefix = "bench." + relay.name() + ".scale" + instances + ".";
            createGatewayTopics(prefix, SCALING_PARTITIONS);
            long acceptedBefore = accepted(relay);
            List<GatewayUnderTest> gateways = new ArrayList<>();
            try (ResultCollector collector = new ResultCollector(broker.bootstrapServers(), prefix + "results",
                    SCALING_PARTITIONS)) {
                for (int i = 1; i <= instances; i++) {
                    gateways.add(startGateway(relay, prefix, "scale" + instances + "-" + i + "-" + relay.name(),
                            Map.of("GATEWAY_INSTANCE_ID", "bench-" + i)));
                }
                String diagnostics = "See the gateways' logs " + gateways.stream().map(g -> g.log().toString())
                        .collect(Collectors.joining(", "));
                warmUp(prefix, collector, "scale" + instances + "-w-", settings.warmup(), BenchMessage.Kind.INLINE,
                        diagnostics);
                Burst burst = burst(gateways, collector, prefix, "scale" + instances + "-m-", settings.messages(),
                        BenchMessage.Kind.INLINE, diagnostics);
                checkAccepted(relay, acceptedBefore, settings.warmup() + settings.messages());
                long rss = 0;
                long heap = 0;
                for (GatewayUnderTest gateway : gateways) {
                    rss += ProcessStats.residentBytes(gateway.pid());
                    heap += ProcessStats.liveHeapBytes(gateway.pid());
                }
                results.scalings().add(new Scaling(relay, instances, SCALING_PARTITIONS, burst.perSecond(),
                        burst.cpuPer1000(), heap, rss));
                System.out.printf("   %.1f messages/s, %.2f CPU s per 1,000 messages%n", burst.perSecond(),
                        burst.cpuPer1000());
            } finally {
                for (GatewayUnderTest gateway : gateways) {
                    gateway.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the gateway

    /** The request topic with {@code partitions}, and the gateway's other topics laid out as the README suggests. */
    private void createGatewayTopics(String prefix, int partitions) {
        broker.createTopics(partitions, prefix + "outbound", prefix + "results", prefix + "retry", prefix + "state",
                prefix + "suppressions");
        broker.createTopics(1, prefix + "dlq");
    }

    /**
     * Starts the packaged gateway on the topics under {@code prefix}, sending to the relay. Pool size and parallel
     * sends are not set here: the gateway uses its defaults unless the caller of the benchmark set them.
     */
    private GatewayUnderTest startGateway(Relay relay, String prefix, String name, Map<String, String> extra)
            throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "GATEWAY_TOPIC_OUTBOUND", prefix + "outbound",
                "GATEWAY_TOPIC_RESULTS", prefix + "results",
                "GATEWAY_TOPIC_DLQ", prefix + "dlq",
                "GATEWAY_TOPIC_RETRY", prefix + "retry",
                "GATEWAY_TOPIC_STATE", prefix + "state",
                "GATEWAY_TOPIC_SUPPRESSIONS", prefix + "suppressions",
                "GATEWAY_GROUP_ID", prefix + "group",
                "GATEWAY_ALLOWED_SENDER_DOMAINS", BenchMessage.SENDER_DOMAIN));
        environment.putAll(Map.of(
                "SMTP_HOST", relay.host(),
                "SMTP_PORT", String.valueOf(relay.port()),
                "SMTP_USERNAME", relay.user(),
                "SMTP_PASSWORD_FILE", relay.passwordFile().toAbsolutePath().toString(),
                "SMTP_TRUST_CA_FILE", relay.caPem().toAbsolutePath().toString()));
        environment.putAll(extra);
        List<String> jvmOptions = new ArrayList<>(settings.jvmOptions());
        if (settings.profile()) {
            // Without it, a CPU sample in compiled code is put at the nearest safepoint: a loop's back-edge collects
            // the samples of the methods inlined around it, and the top frames name the wrong methods.
            jvmOptions.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
        }
        return GatewayUnderTest.start(JAR, WORK.resolve(name), jvmOptions, environment);
    }

    private void warmUp(String prefix, ResultCollector collector, String idPrefix, int count, BenchMessage.Kind kind,
            String diagnostics) throws InterruptedException {
        List<String> warmup = ids(idPrefix, count);
        producer.burst(prefix + "outbound", warmup, kind);
        requireSent(collector.await(new HashSet<>(warmup), settings.stall(), () -> diagnostics), diagnostics);
    }

    /**
     * Publishes {@code count} requests at once and waits for all results: messages/s from the first request's
     * record to the last result's record, CPU of every gateway instance per 1,000 messages, latency per request.
     */
    private Burst burst(List<GatewayUnderTest> gateways, ResultCollector collector, String prefix, String idPrefix,
            int count, BenchMessage.Kind kind, String diagnostics) throws InterruptedException {
        double cpuBefore = gateways.stream().mapToDouble(g -> ProcessStats.cpuSeconds(g.pid())).sum();
        List<String> measured = ids(idPrefix, count);
        Map<String, Long> producedAt = producer.burst(prefix + "outbound", measured, kind);
        Map<String, ResultCollector.Result> done = collector.await(new HashSet<>(measured), settings.stall(),
                () -> diagnostics);
        double cpu = gateways.stream().mapToDouble(g -> ProcessStats.cpuSeconds(g.pid())).sum() - cpuBefore;
        requireSent(done, diagnostics);
        long first = producedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = done.values().stream().mapToLong(ResultCollector.Result::timestamp).max().orElseThrow();
        return new Burst(count * 1000.0 / Math.max(1, last - first), cpu * 1000 / count, latency(producedAt, done));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    /** Request-to-result latency per id: result record timestamp minus request record timestamp. */
    private static Latency latency(Map<String, Long> producedAt, Map<String, ResultCollector.Result> results) {
        long[] millis = producedAt.entrySet().stream()
                .mapToLong(e -> results.get(e.getKey()).timestamp() - e.getValue()).sorted().toArray();
        return new Latency(CeilingClient.percentile(millis, 50), CeilingClient.percentile(millis, 99));
    }

    /**
     * Latency in three parts, p50 / p99 of each: produced to taken by the gateway (the request producer, Kafka and
     * the wait for a send thread), taken to completed (the attempt: rendering, SMTP) and completed to the result's
     * record.
     */
    private static String breakdown(Map<String, Long> producedAt, Map<String, Long> acknowledgedAt,
            Map<String, ResultCollector.Result> results) {
        List<long[]> parts = List.of(new long[producedAt.size()], new long[producedAt.size()],
                new long[producedAt.size()], new long[producedAt.size()]);
        int i = 0;
        for (Map.Entry<String, Long> request : producedAt.entrySet()) {
            ResultCollector.Result result = results.get(request.getKey());
            // the benchmark's own producer and the broker: part of "to taken", not the gateway's doing
            parts.get(0)[i] = acknowledgedAt.get(request.getKey()) - request.getValue();
            parts.get(1)[i] = result.receivedAt() - request.getValue();
            parts.get(2)[i] = result.completedAt() - result.receivedAt();
            parts.get(3)[i] = result.timestamp() - result.completedAt();
            i++;
        }
        List<String> names = List.of("request acknowledged to the producer (included in the next)", "to taken",
                "attempt", "to result record");
        List<String> shown = new ArrayList<>();
        for (int part = 0; part < parts.size(); part++) {
            long[] sorted = parts.get(part).clone();
            java.util.Arrays.sort(sorted);
            shown.add(String.format(Locale.ROOT, "%s p50 %d ms, p99 %d ms", names.get(part),
                    CeilingClient.percentile(sorted, 50), CeilingClient.percentile(sorted, 99)));
        }
        return String.join("; ", shown);
    }

    /** Every measured request must have been accepted by the relay; anything else means the numbers are wrong. */
    private static void requireSent(Map<String, ResultCollector.Result> results, String diagnostics) {
        Map<String, Long> byStatus = results.values().stream()
                .collect(Collectors.groupingBy(ResultCollector.Result::status, TreeMap::new, Collectors.counting()));
        if (byStatus.keySet().stream().anyMatch(status -> !status.equals("SENT"))) {
            throw new IllegalStateException("not every request was SENT: " + byStatus + ". " + diagnostics);
        }
    }

    private static long accepted(Relay relay) {
        return relay.accepted() == null ? 0 : relay.accepted().getAsLong();
    }

    /** Where the relay counts (the in-JVM sink), it must have accepted exactly what was sent. */
    private static void checkAccepted(Relay relay, long before, long expected) {
        if (relay.accepted() == null) {
            return;
        }
        long accepted = relay.accepted().getAsLong() - before;
        if (accepted != expected) {
            throw new IllegalStateException(relay.name() + " accepted " + accepted + " mails, expected " + expected);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static Path secretFile(String name, String content) throws IOException {
        Path file = WORK.resolve(name).toAbsolutePath();
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, content);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
