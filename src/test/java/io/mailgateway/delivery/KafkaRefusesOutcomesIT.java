package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;

/**
 * When Kafka does not take an attempt's outcome, the gateway holds consumption (readiness DOWN, naming why) and
 * never sends that request again: it publishes the outcome it already has once Kafka takes it. Retries and
 * records read again share one memory of what each request id achieved.
 */
class KafkaRefusesOutcomesIT {

    @TempDir
    static Path work;
    private static InJvmGateway gateway;

    @BeforeAll
    static void start() {
        gateway = InJvmGateway.start(work, Map.of());
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    @AfterEach
    void clearFaults() {
        gateway.relay().server().clearFaults();
    }

    @Test
    void aResultTheResultsTopicRefusesIsHeldAndPublishedOnceAllowedWithoutASecondMail() throws Exception {
        String id = "too-large-" + UUID.randomUUID();
        String recipient = id + "@example.org";
        // Smaller than any result: the broker refuses the SENT result after the relay accepted the mail.
        setTopicConfig(InJvmGateway.RESULTS, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "64");
        try {
            gateway.kafka().send(InJvmGateway.OUTBOUND, id, request(id, recipient));

            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
            assertThat(gateway.httpBody("/observe/health/ready")).contains("not yet recorded");
            assertThat(mailsTo(recipient)).isEqualTo(1);
            // Held: the unrecorded outcome is published again and again, the mail is not.
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpBody("/observe/metrics")
                    .contains("mail_gateway_outcomes_unrecorded 1.0"));
            assertThat(mailsTo(recipient)).isEqualTo(1);
        } finally {
            setTopicConfig(InJvmGateway.RESULTS, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, null);
        }

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");
        assertThat(sent.get("terminal").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
        // The record read again found the recorded outcome: a replay, not a second mail.
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.results().allJson(id).stream()
                .anyMatch(result -> result.path("replay").asBoolean()));
        assertThat(gateway.results().allJson(id)).allSatisfy(result -> {
            assertThat(result.get("status").asText()).isEqualTo("SENT");
            assertThat(result.get("messageId")).isEqualTo(sent.get("messageId"));
        });
        assertThat(mailsTo(recipient)).isEqualTo(1);
    }

    @Test
    void aRecordReadAgainWhileItsRequestWaitsForARetrySendsNothing() {
        String id = "deferred-" + UUID.randomUUID();
        String recipient = id + "@example.org";
        gateway.relay().server().rejectRecipient(recipient, 451, "4.3.0 try again later");
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, request(id, recipient));
        gateway.results().awaitStatus(id, "DEFERRED");

        // The producer publishes the same request again while the first waits on the retry topic.
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, request(id, recipient));
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.results().allJson(id).stream()
                .anyMatch(result -> result.path("replay").asBoolean()));
        JsonNode replayed = gateway.results().allJson(id).stream()
                .filter(result -> result.path("replay").asBoolean()).findFirst().orElseThrow();
        assertThat(replayed.get("status").asText()).isEqualTo("DEFERRED");
        assertThat(replayed.get("terminal").asBoolean()).isFalse();

        gateway.relay().server().clearFaults();
        gateway.results().awaitStatus(id, "SENT");
        assertThat(mailsTo(recipient)).isEqualTo(1);
        // One retry chain only: one SENT result that is not a replay.
        assertThat(gateway.results().allJson(id).stream()
                .filter(result -> result.get("terminal").asBoolean() && !result.path("replay").asBoolean()))
                .hasSize(1);
    }

    @Test
    void aRequestThatFailedValidationCanBeSentAgainCorrectedUnderTheSameId() {
        String id = "corrected-" + UUID.randomUUID();
        String recipient = id + "@example.org";
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["not an address"], "subject": "s", "text": "t"}""".formatted(id));
        JsonNode rejected = gateway.results().awaitStatus(id, "REJECTED");
        assertThat(rejected.path("reason").path("detail").asText()).contains("to[0]");

        gateway.kafka().send(InJvmGateway.OUTBOUND, id, request(id, recipient));
        gateway.results().awaitStatus(id, "SENT");
        assertThat(mailsTo(recipient)).isEqualTo(1);
    }

    private static String request(String id, String recipient) {
        return """
                {"id": "%s", "to": ["%s"], "subject": "s", "text": "t"}""".formatted(id, recipient);
    }

    private static long mailsTo(String recipient) {
        return gateway.relay().server().received().stream()
                .filter(mail -> mail.envelopeRecipients().contains(recipient)).count();
    }

    /** Sets (or, with a null value, removes) a topic setting, as an operator would with kafka-configs. */
    private static void setTopicConfig(String topic, String name, String value) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            AlterConfigOp op = value == null
                    ? new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE)
                    : new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
            Map<ConfigResource, Collection<AlterConfigOp>> change =
                    Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(op));
            admin.incrementalAlterConfigs(change).all().get();
        }
    }
}
