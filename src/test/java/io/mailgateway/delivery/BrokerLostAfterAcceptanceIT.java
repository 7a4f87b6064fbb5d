package io.mailgateway.delivery;

import static io.mailgateway.support.ScriptedSmtpServer.Action.delayedReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;

/**
 * The Kafka broker goes away between the relay's 250 and the result: once it is back, the request completes with
 * the outcome the gateway already had, and the relay got the mail once.
 */
class BrokerLostAfterAcceptanceIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "broker-lost-relay-password";
    /** Long enough for the test to stop the broker while the relay holds its reply to the final ".". */
    private static final Duration CONFIRMATION = Duration.ofSeconds(5);

    @Test
    void aResultThatCannotBePublishedAfterTheRelayAcceptedIsPublishedLaterAndTheMailIsNotSentAgain(
            @TempDir Path work) throws Exception {
        LocalCertificate certificate = LocalCertificate.create(work.resolve("relay-tls"));
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.builder().startTls(certificate).credentials(USER, PASSWORD)
                .on(Command.DATA_END, delayedReply(CONFIRMATION, 250, "2.0.0 Ok: queued")).start();
                InJvmGateway gateway = InJvmGateway.start(work, Map.of(
                        "gateway.smtp.host", ScriptedSmtpServer.HOST,
                        "gateway.smtp.port", String.valueOf(relay.port()),
                        "gateway.smtp.username", USER,
                        "gateway.smtp.password", PASSWORD,
                        "gateway.smtp.trust-ca-file", certificate.caPemFile().toString(),
                        "gateway.kafka.max-block-ms", "2000"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            String id = "broker-lost-after-250";
            gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["alice@example.org"], "subject": "s", "text": "t"}""".formatted(id));

            // The message is on its way: the relay read the final "." and waits before it answers 250.
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.messages().size() == 1);
            gateway.broker().stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
            gateway.broker().restart();

            JsonNode sent = gateway.results().awaitStatus(id, "SENT");
            assertThat(sent.get("terminal").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.kafka()
                    .committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0) == 1);
            assertThat(relay.messages()).hasSize(1);
            assertThat(gateway.results().allJson(id))
                    .allSatisfy(result -> assertThat(result.get("status").asText()).isEqualTo("SENT"));
        }
    }
}
