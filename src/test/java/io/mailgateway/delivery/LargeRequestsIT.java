package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import jakarta.mail.MessagingException;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;

/**
 * Records well within the request size limit (GATEWAY_MAX_REQUEST_BYTES, 10 MiB by default) but larger than a Kafka
 * client's default record size (1 MiB) get the same guarantees as small ones: a deferred request gets a progress
 * result and a durable retry, the recipient the relay accepted is not sent the mail again, and a record that is not
 * JSON goes to the dead-letter topic with a REJECTED result; either way the partition moves on.
 */
class LargeRequestsIT {

    /** How long a record may hold up the one behind it; processing one takes well under a second here. */
    private static final Duration PARTITION_MOVES_ON = Duration.ofSeconds(20);

    private static final int TEXT_BYTES = 2 * 1024 * 1024;
    private static final String FROM = "noreply@acme.example";

    @Test
    void requestOfTwoMegabytesWithADeferredRecipientIsRetriedWithoutResendingOrHoldingUpTheRequestsBehindIt(
            @TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of(
                "gateway.retry.schedule", "1s",
                "gateway.retry.max-age", "2m"))) {
            // The retry topic takes records as large as requests may be, as an operator sets it up for such requests.
            allowLargeRecords(gateway, "mail.retry");
            KafkaTopics.Reader results = gateway.results();
            gateway.relay().server().rejectRecipient("later@example.org", 450, "4.2.1 mailbox busy");
            String large = "large-" + System.nanoTime();
            String small = "small-" + System.nanoTime();
            request(gateway, large, "\"now@example.org\", \"later@example.org\"", "x".repeat(76) + "\\n", TEXT_BYTES / 77);
            long lastOffset = request(gateway, small, "\"later@example.org\"", "t", 1);

            try {
                await().atMost(PARTITION_MOVES_ON).until(() -> hasStatus(results, large, "DEFERRED"));
            } catch (ConditionTimeoutException e) {
                fail("no DEFERRED result for the large request within %d s; meanwhile now@example.org got %d copies",
                        PARTITION_MOVES_ON.toSeconds(), copies(gateway, large, "now@example.org"));
            }
            JsonNode deferred = results.awaitStatus(large, "DEFERRED");
            assertThat(deferred.get("terminal").asBoolean()).isFalse();
            assertThat(deferred.get("recipients").findValuesAsText("status")).containsExactly("SENT", "DEFERRED");
            // The partition moved on: the request behind it was attempted, and deferred for the same recipient.
            assertThat(results.awaitStatus(small, "DEFERRED").get("terminal").asBoolean()).isFalse();
            gateway.relay().server().clearFaults();

            for (String id : List.of(large, small)) {
                JsonNode sent = results.awaitStatus(id, "SENT");
                assertThat(sent.get("terminal").asBoolean()).isTrue();
                assertThat(sent.get("recipients").findValuesAsText("status")).containsOnly("SENT");
            }
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0) == lastOffset + 1);
            assertThat(copies(gateway, large, "now@example.org")).isEqualTo(1);
            assertThat(copies(gateway, large, "later@example.org")).isEqualTo(1);
            assertThat(copies(gateway, small, "later@example.org")).isEqualTo(1);
        }
    }

    @Test
    void recordOfTwoMegabytesThatIsNotJsonGoesToTheDeadLetterTopicWithARejectedResult(@TempDir Path work)
            throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of())) {
            // The dead-letter topic takes records as large as requests may be, as an operator sets it up.
            allowLargeRecords(gateway, InJvmGateway.DLQ);
            byte[] raw = new byte[TEXT_BYTES];
            Arrays.fill(raw, (byte) 'x');
            String key = "raw-" + System.nanoTime();
            String behind = "behind-" + System.nanoTime();
            gateway.kafka().send(InJvmGateway.OUTBOUND, key, raw, Map.of());
            long lastOffset = request(gateway, behind, "\"b@example.org\"", "t", 1);

            await("a result for the record behind the large one").atMost(PARTITION_MOVES_ON)
                    .until(() -> !gateway.results().allJson(behind).isEmpty());
            JsonNode rejected = gateway.results().awaitJson(key);
            assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
            assertThat(rejected.at("/reason/category").asText()).isEqualTo("invalid-request");
            assertThat(gateway.deadLetters().awaitRecord(key).value()).isEqualTo(raw);
            assertThat(gateway.results().awaitStatus(behind, "SENT").get("terminal").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0) == lastOffset + 1);
        }
    }

    /** @param to the recipients as JSON strings, comma-separated */
    private static long request(InJvmGateway gateway, String id, String to, String line, int lines) {
        return gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": [%s], "subject": "large", "text": "%s"}""".formatted(id, to, line.repeat(lines)));
    }

    private static boolean hasStatus(KafkaTopics.Reader results, String id, String status) {
        return results.allJson(id).stream().anyMatch(r -> status.equals(r.path("status").asText()));
    }

    /** Copies of the request's mail this recipient got. */
    private static long copies(InJvmGateway gateway, String id, String recipient) {
        String messageId = MessageIds.forRequest(id, FROM);
        return gateway.relay().server().received().stream()
                .filter(mail -> messageId.equals(messageIdOf(mail)) && mail.envelopeRecipients().contains(recipient))
                .count();
    }

    private static String messageIdOf(ReceivedMail mail) {
        try {
            return mail.toMimeMessage().getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void allowLargeRecords(InJvmGateway gateway, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", String.valueOf(InJvmGateway.MAX_RECORD_BYTES)),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
