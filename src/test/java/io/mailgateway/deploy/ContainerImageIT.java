package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.TestRelay;

/**
 * The container image as a runtime runs it: unpacked from the Jib tar, started by runc as its own non-root user
 * with a read-only root and the smallest memory limit any overlay gives the gateway, delivering one request from
 * Kafka to an SMTP relay, then a load of small and near-limit requests with attachments without losing one, being
 * OOM-killed or turning unready. Run by {@code .ci/image-smoke.sh}, which builds the image and passes it in
 * MAIL_GATEWAY_IMAGE_TAR (and a work folder in MAIL_GATEWAY_IMAGE_WORK).
 */
class ContainerImageIT {

    private static final String CONTAINER_ID = "mail-gateway-smoke";
    /** The gateway's GATEWAY_MAX_REQUEST_BYTES default; the request topics take records up to GATEWAY_MAX_RECORD_BYTES. */
    private static final int MAX_REQUEST_BYTES = 10 * 1024 * 1024;
    private static final int MAX_RECORD_BYTES = 11_534_336;
    private static final int SMALL_REQUESTS = 3000;
    /**
     * Every this many small requests come large ones, back to back so that several are in memory together (the batch
     * being handled and the one fetched ahead): two attachments of 3.5 MiB each, a request just under
     * MAX_REQUEST_BYTES.
     */
    private static final int LARGE_EVERY = 500;
    private static final int LARGE_TOGETHER = 4;
    private static final Duration LOAD_DELIVERED = Duration.ofMinutes(4);

    @Test
    void imageRunsAsItsNonRootUserOnAReadOnlyRootAndDeliversALoadWithinTheSmallestOverlaysMemoryLimit()
            throws Exception {
        Path imageTar = Path.of(required("MAIL_GATEWAY_IMAGE_TAR"));
        Path work = Files.createDirectories(Path.of(required("MAIL_GATEWAY_IMAGE_WORK")));
        assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
                .as("runc needs root to create the container's namespaces").isZero();

        Path bundle = Files.createDirectories(work.resolve("bundle"));
        ContainerImage image = ContainerImage.unpack(imageTar, bundle);

        // What the Dockerfile and the Jib profile promise about the image itself.
        assertThat(image.user()).as("numeric, non-root USER").matches("[1-9][0-9]*(:[0-9]+)?");
        assertThat(image.exposedPorts()).contains("8080/tcp");
        assertThat(image.entrypointAndCmd()).contains("io.mailgateway.MailGateway", "-XX:VMOptionsFile=/app/jvm.options");
        assertThat(image.rootfs().resolve("app/jvm.options")).as("the JIT settings the gateway starts with")
                .hasSameTextualContentAs(Path.of("src/main/jvm/jvm.options"));
        Path workingDir = image.rootfs().resolve(image.workingDir().substring(1));
        assertThat(workingDir.resolve("routes")).as("no routes folder: the bundled routes apply").doesNotExist();
        assertThat(workingDir.resolve("templates")).as("no templates folder: the bundled ones apply").doesNotExist();
        assertBillOfMaterials(image.rootfs().resolve("app/sbom/bom.cdx.json"));

        // The pod as the smallest overlay runs it: its memory limit, and JVM options its Deployment adds, if any.
        GatewayContainerSpec smallest = GatewayContainerSpec.smallestMemoryLimit();

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(Files.createDirectories(work.resolve("relay")), false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            createTopics(broker);

            // Mounted secrets, readable by the container's user as a Kubernetes secret volume would be.
            Path secrets = Files.createDirectories(work.resolve("secrets"));
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(secrets.resolve("smtp-password"), relay.password() + "\n");
            Files.copy(relay.caPemFile(), secrets.resolve("relay-ca.pem"));
            for (String file : List.of("smtp-password", "relay-ca.pem")) {
                Files.setPosixFilePermissions(secrets.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
            }
            // Runtimes provide /etc/hosts; the relay's certificate names "localhost", bound to 127.0.0.1.
            Path hosts = Files.writeString(work.resolve("hosts"), "127.0.0.1\tlocalhost mail-gateway\n");
            Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));

            int managementPort = FreePorts.next();
            Map<String, String> env = new HashMap<>(Map.ofEntries(
                    Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                    Map.entry("GATEWAY_GROUP_ID", "container-image-it"),
                    Map.entry("SMTP_HOST", "localhost"),
                    Map.entry("SMTP_PORT", String.valueOf(relay.port())),
                    Map.entry("SMTP_SECURITY", "starttls"),
                    Map.entry("SMTP_USERNAME", TestRelay.USERNAME),
                    Map.entry("SMTP_PASSWORD_FILE", "/run/secrets/smtp-password"),
                    Map.entry("SMTP_TRUST_CA_FILE", "/run/secrets/relay-ca.pem"),
                    Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                    Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example"),
                    Map.entry("MANAGEMENT_PORT", String.valueOf(managementPort))));
            smallest.javaToolOptions().ifPresent(options -> env.put("JAVA_TOOL_OPTIONS", options));

            try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                long started = System.nanoTime();
                try (RuncContainer container = RuncContainer.start(image, bundle, work.resolve("runc-state"),
                        CONTAINER_ID, env, List.of(new RuncContainer.Bind(secrets, "/run/secrets"),
                                new RuncContainer.Bind(hosts, "/etc/hosts")), smallest.memoryLimitBytes())) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        assertThat(container.isRunning()).as("container exited:\n%s", container.output()).isTrue();
                        return ManagementPort.status(managementPort, "/observe/health/ready") == 200;
                    });
                    Duration timeToReady = Duration.ofNanos(System.nanoTime() - started);

                    assertThat(uidOf(container.pid())).as("the JVM's uid").isEqualTo(image.user().split(":")[0]);
                    assertThat(ManagementPort.status(managementPort, "/observe/health/live")).isEqualTo(200);

                    long sentAt = System.nanoTime();
                    kafka.send("mail.outbound", "image-1", """
                            {"id": "image-1", "template": "welcome", "locale": "en",
                             "to": ["grace@example.org"], "data": {"name": "Grace", "brand": {"name": "ACME"},
                             "loginUrl": "https://acme.example/login"}}""");
                    JsonNode result = results.awaitJson("image-1");
                    Duration timeToResult = Duration.ofNanos(System.nanoTime() - sentAt);
                    assertThat(result.get("status").asText()).as(container.output()).isEqualTo("SENT");
                    var mail = relay.awaitMessageId(MessageIds.forRequest("image-1", "noreply@acme.example"));
                    assertThat(mail.envelopeRecipients()).containsExactly("grace@example.org");
                    assertThat(container.output()).doesNotContain(relay.password());

                    Load load = deliverLoad(broker, results, relay, container, managementPort);

                    // SIGTERM as the kubelet sends it: the gateway shuts down within its 30 s shutdown timeout.
                    long stopping = System.nanoTime();
                    container.stop(Duration.ofSeconds(40));
                    Duration timeToStop = Duration.ofNanos(System.nanoTime() - stopping);

                    String report = String.join("\n",
                            "image tar: " + mib(Files.size(imageTar)),
                            "image layers (compressed, base first): " + String.join(" + ",
                                    image.layerSizes().stream().map(ContainerImageIT::mib).toList()),
                            "image unpacked: " + mib(image.unpackedBytes()),
                            "time to ready: " + timeToReady.toMillis() + " ms",
                            "time from request to SENT result: " + timeToResult.toMillis() + " ms",
                            "time to stop after SIGTERM: " + timeToStop.toMillis() + " ms",
                            "memory limit: " + mib(smallest.memoryLimitBytes()) + " (" + smallest.overlay()
                                    + ", the smallest of the overlays), JAVA_TOOL_OPTIONS: "
                                    + smallest.javaToolOptions().orElse("(none)"),
                            "load: " + load.small() + " small + " + load.large() + " large requests ("
                                    + mib(load.largeRequestBytes()) + " each, GATEWAY_MAX_REQUEST_BYTES "
                                    + mib(MAX_REQUEST_BYTES) + "), all SENT in " + load.duration().toMillis() + " ms",
                            "peak memory under load: cgroup " + mib(load.memory().peakBytes()) + ", JVM resident "
                                    + mib(load.peakResidentBytes()) + " of the " + mib(load.memory().limitBytes())
                                    + " limit; OOM kills: " + load.memory().oomKills()
                                    + "; readiness checks: " + load.readinessChecks() + ", all UP",
                            "");
                    Files.writeString(work.resolve("report.txt"), report);
                    System.out.print(report);
                }
            }
        }
    }

    /**
     * The gateway container of an overlay as Kubernetes would run it: its memory limit and the JVM options its
     * Deployment sets. Read from the rendered overlays, so the test follows the manifests when limits change.
     */
    record GatewayContainerSpec(String overlay, long memoryLimitBytes, Optional<String> javaToolOptions) {

        static GatewayContainerSpec smallestMemoryLimit() {
            return Kustomize.overlays().stream()
                    .map(GatewayContainerSpec::of)
                    .min(Comparator.comparingLong(GatewayContainerSpec::memoryLimitBytes))
                    .orElseThrow(() -> new AssertionError("no overlays under " + Kustomize.K8S));
        }

        static GatewayContainerSpec of(Path overlay) {
            JsonNode deployment = Kustomize.named(Kustomize.render(overlay), "Deployment", "mail-gateway")
                    .orElseThrow(() -> new AssertionError(overlay + " renders no Deployment mail-gateway"));
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            String limit = container.at("/resources/limits/memory").asText("");
            assertThat(limit).as("%s: the gateway container's memory limit", overlay).isNotBlank();
            Optional<String> javaToolOptions = Optional.empty();
            for (JsonNode env : container.path("env")) {
                if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS") && env.has("value")) {
                    javaToolOptions = Optional.of(env.get("value").asText());
                }
            }
            return new GatewayContainerSpec(overlay.toString(), bytes(limit), javaToolOptions);
        }

        /** A Kubernetes quantity in bytes: {@code 640Mi}, {@code 1Gi}, {@code 700M}, {@code 536870912}. */
        static long bytes(String quantity) {
            Matcher m = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(quantity.trim());
            assertThat(m.matches()).as("a memory quantity: %s", quantity).isTrue();
            long number = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "" : m.group(2);
            return number * switch (unit) {
                case "Ki" -> 1L << 10;
                case "Mi" -> 1L << 20;
                case "Gi" -> 1L << 30;
                case "Ti" -> 1L << 40;
                case "k" -> 1_000L;
                case "M" -> 1_000_000L;
                case "G" -> 1_000_000_000L;
                case "T" -> 1_000_000_000_000L;
                default -> 1L;
            };
        }
    }

    /** What the load did, for the report. */
    private record Load(int small, int large, int largeRequestBytes, Duration duration,
            RuncContainer.MemoryUsage memory, long peakResidentBytes, int readinessChecks) {
    }

    /**
     * Publishes small requests and, among them, requests just under GATEWAY_MAX_REQUEST_BYTES with attachments, as
     * fast as a producer can, while readiness is polled; then checks each got its SENT result and mail, and reads
     * the container's memory before it stops.
     */
    private static Load deliverLoad(LocalKafkaBroker broker, KafkaTopics.Reader results, TestRelay relay,
            RuncContainer container, int managementPort) throws Exception {
        int resultsBefore = results.records().size();
        int mailsBefore = relay.server().received().size();
        byte[] attachment = new byte[7 * 1024 * 1024 / 2];
        new Random(15).nextBytes(attachment); // random bytes: nothing for compression to shrink
        String attachmentBase64 = Base64.getEncoder().encodeToString(attachment);
        int largeBytes = utf8(large("load-large-00000-0", attachmentBase64)).length;
        assertThat(largeBytes).as("a large request is near, and within, GATEWAY_MAX_REQUEST_BYTES")
                .isBetween(MAX_REQUEST_BYTES * 9 / 10, MAX_REQUEST_BYTES);

        List<String> ids = new ArrayList<>();
        int large = 0;
        AtomicInteger readinessChecks = new AtomicInteger();
        List<String> notReady = new CopyOnWriteArrayList<>();
        ScheduledExecutorService readiness = Executors.newSingleThreadScheduledExecutor();
        readiness.scheduleWithFixedDelay(() -> {
            int status = ManagementPort.status(managementPort, "/observe/health/ready");
            readinessChecks.incrementAndGet();
            if (status != 200) {
                notReady.add(Instant.now() + ": " + status);
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < SMALL_REQUESTS; i++) {
                for (int n = 0; i % LARGE_EVERY == LARGE_EVERY / 2 && n < LARGE_TOGETHER; n++) {
                    String id = String.format(Locale.ROOT, "load-large-%05d-%d", i, n);
                    sends.add(producer.send(new ProducerRecord<>("mail.outbound", id, utf8(large(id, attachmentBase64)))));
                    ids.add(id);
                    large++;
                }
                String id = String.format(Locale.ROOT, "load-small-%05d", i);
                sends.add(producer.send(new ProducerRecord<>("mail.outbound", id, utf8(small(id, i)))));
                ids.add(id);
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }
        try {
            await("a result for each of the " + ids.size() + " requests").atMost(LOAD_DELIVERED)
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        assertThat(container.isRunning()).as("container exited:\n%s", tail(container.output())).isTrue();
                        return results.records().size() - resultsBefore >= ids.size();
                    });
        } finally {
            // Not shutdownNow: interrupting a check in flight would record its interruption as "no answer".
            readiness.shutdown();
            assertThat(readiness.awaitTermination(30, TimeUnit.SECONDS)).as("the last readiness check ended").isTrue();
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        RuncContainer.MemoryUsage memory = container.memoryUsage();
        long peakResident = container.peakResidentBytes();

        Map<String, String> statusById = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<String, byte[]> record : results.records()) {
            statusById.put(record.key(), json.readTree(record.value()).path("status").asText());
        }
        for (String id : ids) {
            assertThat(statusById.get(id)).as("the result for %s", id).isEqualTo("SENT");
        }
        assertThat(relay.server().received().size() - mailsBefore).as("mails the relay accepted").isEqualTo(ids.size());
        assertThat(memory.oomKills()).as("OOM kills in the container's cgroup").isZero();
        assertThat(memory.peakBytes()).isLessThanOrEqualTo(memory.limitBytes());
        assertThat(notReady).as("readiness answers other than 200 during the load").isEmpty();
        assertThat(ManagementPort.status(managementPort, "/observe/health/live")).isEqualTo(200);
        assertThat(container.output()).doesNotContain("OutOfMemoryError");
        return new Load(ids.size() - large, large, largeBytes, duration, memory, peakResident, readinessChecks.get());
    }

    private static String small(String id, int i) {
        String attachment = i % 10 == 0
                ? ", \"attachments\": [{\"filename\": \"note.txt\", \"contentType\": \"text/plain\", \"contentBase64\": \""
                        + Base64.getEncoder().encodeToString(("line " + i + "\n").repeat(2000).getBytes(StandardCharsets.UTF_8))
                        + "\"}]"
                : "";
        return "{\"id\": \"" + id + "\", \"template\": \"welcome\", \"locale\": \"en\", \"to\": [\"load@example.org\"],"
                + " \"data\": {\"name\": \"Ada\", \"brand\": {\"name\": \"ACME\"}, \"loginUrl\": \"https://acme.example/login\"}"
                + attachment + "}";
    }

    private static String large(String id, String attachmentBase64) {
        StringBuilder request = new StringBuilder("{\"id\": \"").append(id).append("\", \"to\": [\"load@example.org\"],")
                .append(" \"subject\": \"Your documents\", \"text\": \"").append("Attached.\\n".repeat(1000))
                .append("\", \"attachments\": [");
        for (int n = 1; n <= 2; n++) {
            request.append(n == 1 ? "" : ", ").append("{\"filename\": \"part-").append(n)
                    .append(".bin\", \"contentType\": \"application/octet-stream\", \"contentBase64\": \"")
                    .append(attachmentBase64).append("\"}");
        }
        return request.append("]}").toString();
    }

    /** The request, retry and dead-letter topics take records as large as requests may be, as an operator sets them up. */
    private static void createTopics(LocalKafkaBroker broker) throws Exception {
        Map<String, String> largeRecords = Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of("mail.outbound", "mail.retry", "mail.dlq")) {
            topics.add(new NewTopic(name, 1, (short) 1).configs(largeRecords));
        }
        for (String name : List.of("mail.results", "mail.state", "mail.suppressions")) {
            topics.add(new NewTopic(name, 1, (short) 1));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The bill of materials built with the jar (target/bom.json) is in the image and names the libraries it runs. */
    private static void assertBillOfMaterials(Path bom) throws IOException {
        assertThat(bom).as("the image's bill of materials").isRegularFile();
        JsonNode json = new ObjectMapper().readTree(bom.toFile());
        assertThat(json.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(json.path("components").findValuesAsText("name")).contains("camel-core-engine", "kafka-clients");
        assertThat(json.path("components").findValuesAsText("purl")).as("the components of target/bom.json")
                .containsExactlyInAnyOrderElementsOf(new ObjectMapper().readTree(Path.of("target", "bom.json").toFile())
                        .path("components").findValuesAsText("purl"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String tail(String output) {
        return output.length() <= 20_000 ? output : output.substring(output.length() - 20_000);
    }

    private static String required(String name) {
        String value = System.getenv(name);
        assertThat(value).as(name + " is not set: run .ci/image-smoke.sh, which builds the image and runs this test")
                .isNotBlank();
        return value;
    }

    private static String uidOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> line.split("\\s+")[1])
                .findFirst().orElseThrow();
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
    }
}
