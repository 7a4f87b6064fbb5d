package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;

/**
 * Interoperability with Postfix as a submission relay (STARTTLS required, SASL AUTH required), set up by
 * {@code .ci/postfix-relay.sh}; run on its own by {@code .ci/run}, since it needs that machine-wide relay.
 */
class PostfixInteropIT {

    private static final Path MAILDIR = Path.of("/home/mailuser/Maildir/new");

    @Test
    void packagedGatewayDeliversIntoPostfixMaildirAndPublishesSent(@TempDir Path work) throws Exception {
        String password = System.getenv("RELAY_PASSWORD");
        assertThat(password).as("RELAY_PASSWORD of the Postfix relay").isNotBlank();
        String id = "postfix-" + UUID.randomUUID();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            Path passwordFile = Files.writeString(work.resolve("relay-password"), password);
            try (KafkaTopics.Reader results = kafka.read("mail.results");
                    GatewayProcess gateway = GatewayProcess.start(Files.createDirectories(work.resolve("run")), Map.of(
                            "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                            "SMTP_HOST", "localhost",
                            "SMTP_PORT", "2587",
                            "SMTP_USERNAME", "gateway",
                            "SMTP_PASSWORD_FILE", passwordFile.toString(),
                            "SMTP_TRUST_CA_FILE", "/etc/postfix/relay-cert.pem",
                            "GATEWAY_ALLOWED_SENDER_DOMAINS", "gw.test",
                            "GATEWAY_DEFAULT_FROM", "gateway@gw.test"))) {

                kafka.send("mail.outbound", id, """
                        {"id": "%s", "to": ["mailuser@gw.test"], "subject": "Postfix interop",
                         "text": "delivered through Postfix", "html": "<p>delivered through Postfix</p>"}"""
                        .formatted(id));

                JsonNode result = results.awaitJson(id);
                assertThat(result.get("status").asText()).as(gateway.output()).isEqualTo("SENT");
                assertThat(result.at("/smtp/code").asInt()).isEqualTo(250);
                assertThat(result.at("/smtp/enhancedStatus").asText()).isEqualTo("2.0.0");
                String messageId = MessageIds.forRequest(id, "gateway@gw.test");
                await().atMost(Duration.ofSeconds(30)).until(() -> maildirContains(messageId));
            }
        }
    }

    private static boolean maildirContains(String messageId) throws IOException {
        if (!Files.isDirectory(MAILDIR)) {
            return false;
        }
        try (Stream<Path> files = Files.list(MAILDIR)) {
            for (Path file : files.toList()) {
                if (Files.readString(file).contains("Message-ID: " + messageId)) {
                    return true;
                }
            }
        }
        return false;
    }
}
