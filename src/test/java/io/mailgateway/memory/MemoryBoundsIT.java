package io.mailgateway.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * Memory is bounded by settings, never by input: the packaged jar, under a heap smaller than any Kubernetes overlay
 * gives it (384 MiB; every overlay's 1280 MiB limit × MaxRAMPercentage 75 = 960 MiB) and ending on an
 * OutOfMemoryError as in its image, answers hostile requests with results and keeps running.
 */
class MemoryBoundsIT {

    /** Less than the heap of the smallest overlay (k8s/overlays/dev: 1280Mi × the image's MaxRAMPercentage=75). */
    private static final List<String> SMALLEST_POD_HEAP = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError");
    /** The gateway's GATEWAY_MAX_RECORD_BYTES default: request, retry and dead-letter topics take such records. */
    private static final int MAX_RECORD_BYTES = 11_534_336;
    private static final String OUTBOUND = "memory.mail";
    private static final String RESULTS = "memory.mail.results";
    private static final String DLQ = "memory.mail.dlq";
    private static final int TAGGED_REQUESTS = 10_000;
    private static final Duration MANY_RESULTS = Duration.ofMinutes(8);

    @Test
    void hostileRequestsEndRejectedAndTheGatewayKeepsRunningUnderTheSmallestPodHeap(@TempDir Path work)
            throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers(),
                        Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024))) {
            createTopics(broker);
            Map<String, String> environment = environment(broker, relay, work);
            Path runDir = Files.createDirectories(work.resolve("run"));
            try (KafkaTopics.Reader results = kafka.read(RESULTS)) {
                try (GatewayProcess gateway = GatewayProcess.start(runDir, environment, SMALLEST_POD_HEAP)) {

                    // A 9 MB request whose template loops over its 10,000 items for each of them (10^8 lines).
                    kafka.send(OUTBOUND, "cube-1", utf8(templated("cube-1", "cube", itemsData(10_000, 900))), Map.of());
                    assertRejectedTooLarge(results.awaitJson("cube-1"), gateway,
                            "text: the rendered mail exceeds the limit of 26214400 bytes (GATEWAY_MAX_MESSAGE_BYTES)");

                    // The same loop within the limits is sent.
                    kafka.send(OUTBOUND, "loop-1", utf8(templated("loop-1", "loop", itemsData(1000, 1000))), Map.of());
                    assertThat(results.awaitJson("loop-1").get("status").asText()).as(gateway.output()).isEqualTo("SENT");

                    // Nested 100,000 levels deep.
                    kafka.send(OUTBOUND, "deep-1", utf8(templated("deep-1", "loop",
                            "{\"d\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}")), Map.of());
                    assertRejectedTooLarge(results.awaitJson("deep-1"), gateway, "GATEWAY_MAX_JSON_DEPTH");

                    // 600,000 members in one object, about 8 MB.
                    StringBuilder members = new StringBuilder("{");
                    for (int i = 0; i < 600_000; i++) {
                        members.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":0");
                    }
                    kafka.send(OUTBOUND, "members-1", utf8(templated("members-1", "loop", members.append('}').toString())),
                            Map.of());
                    assertRejectedTooLarge(results.awaitJson("members-1"), gateway,
                            "data: more than 1000 members, the limit of GATEWAY_MAX_JSON_OBJECT_MEMBERS");

                    // 4.5 million tiny values in arrays each within the element limit, about 9 MB.
                    String row = "[" + "0,".repeat(4999) + "0]";
                    kafka.send(OUTBOUND, "values-1", utf8(templated("values-1", "loop",
                            "{\"rows\": [" + String.join(",", Collections.nCopies(900, row)) + "]}")), Map.of());
                    assertRejectedTooLarge(results.awaitJson("values-1"), gateway,
                            "more than 100000 values in the request, the limit of GATEWAY_MAX_JSON_VALUES");

                    // Many requests with the largest tags a request may carry, each sent and its result remembered.
                    for (int i = 0; i < TAGGED_REQUESTS; i++) {
                        kafka.send(OUTBOUND, "tagged-" + i, utf8(tagged("tagged-" + i)), Map.of());
                    }
                    await().atMost(MANY_RESULTS).until(() -> results.records().size() >= 5 + TAGGED_REQUESTS);
                    for (int i = 0; i < TAGGED_REQUESTS; i += 97) {
                        JsonNode result = results.awaitJson("tagged-" + i);
                        assertThat(result.get("status").asText()).isEqualTo("SENT");
                        assertThat(result.get("tags")).hasSize(32);
                    }
                    assertThat(gateway.isAlive()).as(gateway.output()).isTrue();
                    assertThat(gateway.httpStatus("/observe/health/live")).isEqualTo(200);
                    assertThat(gateway.stop()).as(gateway.output()).isNotEqualTo(3);
                }

                // A restart reads every remembered result back (the state topic) under the same heap, and a record
                // read again gets its result again instead of a second mail.
                int sentBefore = relay.server().received().size();
                try (GatewayProcess restarted = GatewayProcess.start(runDir, environment, SMALLEST_POD_HEAP)) {
                    kafka.send(OUTBOUND, "tagged-7", utf8(tagged("tagged-7")), Map.of());
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> results.allJson("tagged-7").stream().anyMatch(r -> r.path("replay").asBoolean()));
                    assertThat(restarted.isAlive()).as(restarted.output()).isTrue();
                    assertThat(restarted.httpStatus("/observe/health/live")).isEqualTo(200);
                    assertThat(relay.server().received()).hasSize(sentBefore);
                }
            }
        }
    }

    @Test
    void manyLoopingRequestsArrivingTogetherEndRejectedAndTheGatewayKeepsRunning(@TempDir Path work) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers(),
                        Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024))) {
            createTopics(broker);
            Path runDir = Files.createDirectories(work.resolve("run"));
            try (KafkaTopics.Reader results = kafka.read(RESULTS);
                    GatewayProcess gateway = GatewayProcess.start(runDir, environment(broker, relay, work),
                            SMALLEST_POD_HEAP)) {
                // Small requests (100 kB) whose templates would each render 100 MB: one batch, handled in parallel.
                // A euro sign in each item makes Java hold the text with two bytes per character, the costlier form.
                String item = "\"€" + "x".repeat(99) + "\"";
                String data = "{\"name\": \"Ada\", \"items\": [" + String.join(",", Collections.nCopies(1000, item)) + "]}";
                int requests = 24;
                for (int i = 0; i < requests; i++) {
                    kafka.send(OUTBOUND, "together-" + i, utf8(templated("together-" + i, "cube", data)), Map.of());
                }
                for (int i = 0; i < requests; i++) {
                    assertRejectedTooLarge(results.awaitJson("together-" + i), gateway,
                            "text: the rendered mail exceeds the limit of 26214400 bytes (GATEWAY_MAX_MESSAGE_BYTES)");
                }
                // and the gateway still sends what is within the limits
                kafka.send(OUTBOUND, "after-1", utf8(templated("after-1", "loop", itemsData(10, 10))), Map.of());
                assertThat(results.awaitJson("after-1").get("status").asText()).as(gateway.output()).isEqualTo("SENT");
            }
        }
    }

    private static void assertRejectedTooLarge(JsonNode result, GatewayProcess gateway, String detail) {
        assertThat(result.get("status").asText()).as(gateway.output()).isEqualTo("REJECTED");
        assertThat(result.at("/reason/category").asText()).isEqualTo("too-large");
        assertThat(result.at("/reason/detail").asText()).contains(detail);
        assertThat(gateway.isAlive()).as(gateway.output()).isTrue();
        assertThat(gateway.httpStatus("/observe/health/live")).isEqualTo(200);
    }

    private static String templated(String id, String template, String data) {
        return "{\"id\": \"" + id + "\", \"template\": \"" + template + "\", \"to\": [\"ada@example.org\"], \"data\": "
                + data + "}";
    }

    private static String itemsData(int items, int itemLength) {
        String item = "\"" + "x".repeat(itemLength) + "\"";
        return "{\"name\": \"Ada\", \"items\": [" + String.join(",", Collections.nCopies(items, item)) + "]}";
    }

    /** A request with 32 tags of the largest size: names of 64 bytes, values of 256 bytes (128 two-byte characters). */
    private static String tagged(String id) {
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            tags.append(i == 0 ? "" : ", ").append('"').append(String.format("%02d", i)).append("k".repeat(62))
                    .append("\": \"").append("ä".repeat(128)).append('"');
        }
        return "{\"id\": \"" + id + "\", \"to\": [\"ada@example.org\"], \"subject\": \"Tagged\", \"text\": \"t\","
                + " \"tags\": {" + tags + "}}";
    }

    private static Map<String, String> environment(LocalKafkaBroker broker, TestRelay relay, Path work) throws Exception {
        Map<String, String> environment = new HashMap<>(relay.gatewayEnvironment(work));
        environment.putAll(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                Map.entry("GATEWAY_TOPIC_OUTBOUND", OUTBOUND),
                Map.entry("GATEWAY_TOPIC_RESULTS", RESULTS),
                Map.entry("GATEWAY_TOPIC_DLQ", DLQ),
                Map.entry("GATEWAY_TOPIC_RETRY", "memory.mail.retry"),
                Map.entry("GATEWAY_TOPIC_STATE", "memory.mail.state"),
                Map.entry("GATEWAY_TOPIC_SUPPRESSIONS", "memory.mail.suppressions"),
                Map.entry("GATEWAY_GROUP_ID", "memory-bounds-it"),
                Map.entry("GATEWAY_TEMPLATES_DIR", templatesDir().toString()),
                Map.entry("SMTP_SECURITY", "starttls"),
                Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example")));
        return environment;
    }

    private static Path templatesDir() throws URISyntaxException {
        return Path.of(MemoryBoundsIT.class.getResource("/memory-bounds-templates").toURI());
    }

    private static void createTopics(LocalKafkaBroker broker) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        Map<String, String> largeRecords = Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String large : List.of(OUTBOUND, DLQ, "memory.mail.retry")) {
            topics.add(new NewTopic(large, 1, (short) 1).configs(largeRecords));
        }
        for (String plain : List.of(RESULTS, "memory.mail.state", "memory.mail.suppressions")) {
            topics.add(new NewTopic(plain, 1, (short) 1));
        }
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
