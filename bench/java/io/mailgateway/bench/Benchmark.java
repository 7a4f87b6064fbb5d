package io.mailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.local.LocalSmtpServer;

/**
 * Measures the gateway end to end (Kafka in, SMTP out, results back to Kafka) against the ceiling (a plain SMTP
 * client over reused connections) and the naive baseline (a kafka-to-smtp Camel route), each in its own JVM, for
 * every relay; prints a table and writes the report. Settings come from environment variables, see {@link Settings}.
 */
public final class Benchmark {

    private static final Path WORK = Path.of("target", "bench");
    private static final Path JAR = Path.of("target", "mail-gateway.jar");

    /**
     * @param messages      measured messages per contender and relay ({@code BENCH_MESSAGES})
     * @param warmup        messages each contender sends first, not measured ({@code BENCH_WARMUP})
     * @param connections   SMTP connections: the gateway's pool and the ceiling's ({@code SMTP_POOL_SIZE})
     * @param parallelSends the gateway's concurrent sends ({@code GATEWAY_PARALLEL_SENDS})
     * @param partitions    partitions of the request topics ({@code BENCH_PARTITIONS})
     * @param pacedSeconds  how long the half-rate run produces, at most ({@code BENCH_PACED_SECONDS})
     * @param stall         a run fails when nothing progressed for this long ({@code BENCH_STALL_SECONDS})
     */
    record Settings(boolean smoke, int messages, int warmup, int connections, int parallelSends, int partitions,
            List<String> relays, int pacedSeconds, Duration stall, List<String> jvmOptions, Path output) {

        static Settings fromEnvironment() {
            boolean smoke = "1".equals(env("BENCH_SMOKE", "0")) || "true".equals(env("BENCH_SMOKE", "0"));
            int messages = Integer.parseInt(env("BENCH_MESSAGES", smoke ? "50" : "3000"));
            int connections = Integer.parseInt(env("SMTP_POOL_SIZE", "4"));
            return new Settings(smoke, messages,
                    Integer.parseInt(env("BENCH_WARMUP", String.valueOf(Math.max(1, Math.min(500, messages / 10))))),
                    connections,
                    Integer.parseInt(env("GATEWAY_PARALLEL_SENDS", String.valueOf(4 * connections))),
                    Integer.parseInt(env("BENCH_PARTITIONS", String.valueOf(connections))),
                    List.of(env("BENCH_RELAYS", "postfix,local").split(",")),
                    Integer.parseInt(env("BENCH_PACED_SECONDS", smoke ? "5" : "60")),
                    Duration.ofSeconds(Long.parseLong(env("BENCH_STALL_SECONDS", "120"))),
                    List.of(env("BENCH_JVM_OPTS", "-Xmx512m").trim().split("\\s+")),
                    Path.of(env("BENCH_OUTPUT", smoke ? WORK.toString() : "docs")));
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value.trim();
        }
    }

    /** An SMTP relay the contenders send to; {@code accepted} counts its accepted mails where it can. */
    record Relay(String name, String label, String description, String host, int port, String user, Path passwordFile, Path caPem,
            LongSupplier accepted) {
    }

    record Latency(double p50, double p99) {
    }

    /** One contender against one relay. Latencies are null where they do not apply. */
    record Row(Relay relay, String contender, double perSecond, double cpuPer1000, long heapBytes, long rssBytes,
            Latency atMax, Latency atHalf) {
    }

    /** The gateway's start: from process start to ready, and its resident memory a few seconds later. */
    record Startup(Relay relay, double seconds, long idleRssBytes, long idleHeapBytes) {
    }

    static final String GATEWAY = "gateway";
    static final String CEILING = "ceiling";
    static final String NAIVE = "naive";

    private final Settings settings;
    private final LocalKafkaBroker broker;
    private final RequestProducer producer;

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
        System.out.printf("Benchmark: %d messages (+%d warm-up) per contender, %d SMTP connections, %d parallel sends,"
                + " %d partitions, relays %s%n", settings.messages(), settings.warmup(), settings.connections(),
                settings.parallelSends(), settings.partitions(), settings.relays());

        List<Row> rows = new ArrayList<>();
        List<Startup> startups = new ArrayList<>();
        LocalCertificate sinkCertificate = LocalCertificate.create(WORK.resolve("tls"));
        String sinkPassword = randomPassword();
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
            try {
                for (String name : settings.relays()) {
                    Relay relay = switch (name.trim()) {
                        case "postfix" -> postfixRelay();
                        case "local" -> local;
                        default -> throw new IllegalArgumentException("unknown relay " + name + " in BENCH_RELAYS");
                    };
                    Row ceiling = benchmark.ceiling(relay);
                    Row naive = benchmark.naive(relay);
                    benchmark.gateway(relay, rows, startups);
                    rows.add(ceiling);
                    rows.add(naive);
                }
            } finally {
                benchmark.producer.close();
            }
        }
        Report report = new Report(settings, rows, startups, revision);
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

    private Row ceiling(Relay relay) throws Exception {
        System.out.printf("%n== %s: ceiling (plain Angus Mail client, %d reused connections)%n", relay.name(),
                settings.connections());
        long acceptedBefore = accepted(relay);
        try (ChildJvm client = ChildJvm.start("ceiling client", WORK.resolve("ceiling-" + relay.name() + ".log"),
                settings.jvmOptions(), CeilingClient.class, Map.of(),
                relay.host(), String.valueOf(relay.port()), relay.user(), relay.passwordFile().toString(),
                relay.caPem().toString(), String.valueOf(settings.connections()),
                String.valueOf(settings.warmup()), String.valueOf(settings.messages()))) {
            client.await("READY", settings.stall());
            double cpuBefore = ProcessStats.cpuSeconds(client.pid());
            client.send("GO");
            String[] done = client.await("DONE", settings.stall());
            double cpu = ProcessStats.cpuSeconds(client.pid()) - cpuBefore;
            long rss = ProcessStats.residentBytes(client.pid());
            double seconds = Long.parseLong(done[1]) / 1e9;
            checkAccepted(relay, acceptedBefore, settings.warmup() + settings.messages());
            Row row = new Row(relay, CEILING, settings.messages() / seconds, cpu * 1000 / settings.messages(),
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
            Row row = new Row(relay, NAIVE, settings.messages() / seconds, cpu * 1000 / settings.messages(),
                    ProcessStats.liveHeapBytes(route.pid()), rss, null, null);
            System.out.printf("   %.0f messages/s%n", row.perSecond());
            return row;
        }
    }

    private void gateway(Relay relay, List<Row> rows, List<Startup> startups) throws Exception {
        System.out.printf("%n== %s: gateway (packaged jar, SMTP_POOL_SIZE=%d, GATEWAY_PARALLEL_SENDS=%d)%n",
                relay.name(), settings.connections(), settings.parallelSends());
        String prefix = "bench." + relay.name() + ".gateway.";
        broker.createTopics(settings.partitions(), prefix + "outbound");
        broker.createTopics(1, prefix + "results", prefix + "dlq", prefix + "retry", prefix + "state", prefix + "suppressions");
        long acceptedBefore = accepted(relay);

        Map<String, String> environment = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "GATEWAY_TOPIC_OUTBOUND", prefix + "outbound",
                "GATEWAY_TOPIC_RESULTS", prefix + "results",
                "GATEWAY_TOPIC_DLQ", prefix + "dlq",
                "GATEWAY_TOPIC_RETRY", prefix + "retry",
                "GATEWAY_TOPIC_STATE", prefix + "state",
                "GATEWAY_GROUP_ID", prefix + "group",
                "GATEWAY_ALLOWED_SENDER_DOMAINS", BenchMessage.SENDER_DOMAIN,
                "SMTP_POOL_SIZE", String.valueOf(settings.connections()),
                "GATEWAY_PARALLEL_SENDS", String.valueOf(settings.parallelSends())));
        environment.put("GATEWAY_TOPIC_SUPPRESSIONS", prefix + "suppressions");
        environment.putAll(Map.of(
                "SMTP_HOST", relay.host(),
                "SMTP_PORT", String.valueOf(relay.port()),
                "SMTP_USERNAME", relay.user(),
                "SMTP_PASSWORD_FILE", relay.passwordFile().toAbsolutePath().toString(),
                "SMTP_TRUST_CA_FILE", relay.caPem().toAbsolutePath().toString()));

        try (ResultCollector results = new ResultCollector(broker.bootstrapServers(), prefix + "results", 1);
                GatewayUnderTest gateway = GatewayUnderTest.start(JAR, WORK.resolve("gateway-" + relay.name()),
                        settings.jvmOptions(), environment)) {
            // idle: ready, nothing to do yet
            Thread.sleep(3_000);
            Startup startup = new Startup(relay, gateway.startupSeconds(), ProcessStats.residentBytes(gateway.pid()),
                    ProcessStats.liveHeapBytes(gateway.pid()));
            startups.add(startup);
            System.out.printf("   ready after %.1f s; idle RSS %d MB%n", startup.seconds(), startup.idleRssBytes() >> 20);

            String diagnostics = "See the gateway's log " + gateway.log();
            List<String> warmup = ids("gw-" + relay.name() + "-w-", settings.warmup());
            producer.burst(prefix + "outbound", warmup);
            requireSent(results.await(new HashSet<>(warmup), settings.stall(), () -> diagnostics), diagnostics);

            double cpuBefore = ProcessStats.cpuSeconds(gateway.pid());
            List<String> measured = ids("gw-" + relay.name() + "-m-", settings.messages());
            Map<String, Long> producedAt = producer.burst(prefix + "outbound", measured);
            Map<String, ResultCollector.Result> done = results.await(new HashSet<>(measured), settings.stall(),
                    () -> diagnostics);
            double cpu = ProcessStats.cpuSeconds(gateway.pid()) - cpuBefore;
            long rss = ProcessStats.residentBytes(gateway.pid());
            requireSent(done, diagnostics);
            long first = producedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = done.values().stream().mapToLong(ResultCollector.Result::timestamp).max().orElseThrow();
            double perSecond = settings.messages() * 1000.0 / Math.max(1, last - first);
            Latency atMax = latency(producedAt, done);
            System.out.printf("   max rate: %.1f messages/s; latency p50 %.0f ms, p99 %.0f ms; SMTP attempt on average"
                    + " %.1f ms%n", perSecond, atMax.p50(), atMax.p99(), gateway.meanSmtpAttemptMillis());

            // Half the maximum, produced at a steady pace: the latency a request sees when the gateway keeps up.
            double halfRate = perSecond / 2;
            int pacedCount = (int) Math.min(settings.messages(), Math.max(10, Math.round(halfRate * settings.pacedSeconds())));
            System.out.printf("   half rate: %d requests at %.1f per second ...%n", pacedCount, halfRate);
            List<String> paced = ids("gw-" + relay.name() + "-h-", pacedCount);
            Map<String, Long> pacedAt = producer.paced(prefix + "outbound", paced, halfRate);
            Map<String, ResultCollector.Result> pacedDone = results.await(new HashSet<>(paced), settings.stall(),
                    () -> diagnostics);
            requireSent(pacedDone, diagnostics);
            Latency atHalf = latency(pacedAt, pacedDone);
            System.out.printf("   half rate: latency p50 %.0f ms, p99 %.0f ms%n", atHalf.p50(), atHalf.p99());

            checkAccepted(relay, acceptedBefore, settings.warmup() + settings.messages() + pacedCount);
            long heap = ProcessStats.liveHeapBytes(gateway.pid());
            rows.add(new Row(relay, GATEWAY, perSecond, cpu * 1000 / settings.messages(), heap, rss,
                    atMax, atHalf));
        }
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
