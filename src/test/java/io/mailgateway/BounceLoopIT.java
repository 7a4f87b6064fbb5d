package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;

/**
 * A bounce after the relay's 250, end to end through a real Postfix and Dovecot set up by {@code .ci/postfix-relay.sh}
 * and {@code .ci/bounce-loop.sh}: the relay accepts mail to bounce.test, the next hop refuses it with 550 5.1.1, the
 * report comes back to the request's VERP return path and lands in the bounce mailbox, which the gateway reads over
 * IMAPS. Run on its own by {@code .ci/run}, since it needs that machine-wide set-up.
 */
class BounceLoopIT {

    private static final String FROM = "shop@gw.test";
    private static final String BOUNCING_RECIPIENT = "nobody@bounce.test";
    private static final Path RELAY_CA = Path.of("/etc/postfix/relay-cert.pem");
    private static final Path MAILBOX_CA = Path.of("/etc/dovecot/bounce-loop/cert.pem");
    // Postfix's queue run, the refusing hop, the report's local delivery and the gateway's next look at the mailbox.
    private static final Duration REPORT_ROUND_TRIP = Duration.ofMinutes(3);

    @Test
    void recipientRefusedAfterTheRelayAcceptedIsReportedBouncedAndThenSuppressed(@TempDir Path work) throws Exception {
        String relayPassword = System.getenv("RELAY_PASSWORD");
        String mailboxPassword = System.getenv("BOUNCE_MAILBOX_PASSWORD");
        assertThat(relayPassword).as("RELAY_PASSWORD of the Postfix relay").isNotBlank();
        assertThat(mailboxPassword).as("BOUNCE_MAILBOX_PASSWORD of the bounce mailbox").isNotBlank();
        String runId = UUID.randomUUID().toString();
        String bouncingId = "bounce-loop-" + runId;
        String nextId = "bounce-loop-next-" + runId;

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state",
                    "mail.suppressions", "mail.events");
            try (KafkaTopics.Reader results = kafka.read("mail.results");
                    KafkaTopics.Reader events = kafka.read("mail.events");
                    KafkaTopics.Reader suppressions = kafka.read("mail.suppressions");
                    GatewayProcess gateway = GatewayProcess.start(Files.createDirectories(work.resolve("run")),
                            environment(broker.bootstrapServers(), work, relayPassword, mailboxPassword))) {

                kafka.send("mail.outbound", bouncingId, request(bouncingId));
                JsonNode sent = results.awaitJson(bouncingId);
                assertThat(sent.get("status").asText()).as(gateway.output()).isEqualTo("SENT");

                JsonNode bounced = awaitEvent(events, bouncingId, "BOUNCED", gateway);
                assertThat(bounced.get("id").asText()).isEqualTo(bouncingId);
                assertThat(bounced.get("recipient").asText()).isEqualTo(BOUNCING_RECIPIENT);
                assertThat(bounced.get("messageId").asText()).isEqualTo(MessageIds.forRequest(bouncingId, FROM));
                assertThat(bounced.at("/bounce/type").asText()).isEqualTo("hard");
                assertThat(bounced.at("/bounce/enhancedStatus").asText()).isEqualTo("5.1.1");
                assertThat(bounced.at("/source/kind").asText()).isEqualTo("dsn");

                // The suppression entry is written after the event; a request sent before it is on the topic
                // would rightly be sent.
                await().atMost(Duration.ofSeconds(30)).until(() -> suppressionFor(suppressions, BOUNCING_RECIPIENT));
                kafka.send("mail.outbound", nextId, request(nextId));
                JsonNode next = results.awaitJson(nextId);
                assertThat(next.get("status").asText()).as(gateway.output()).isEqualTo("SUPPRESSED");
                assertThat(next.at("/reason/category").asText()).isEqualTo("suppressed");
            }
        }
    }

    private static Map<String, String> environment(String bootstrapServers, Path work, String relayPassword,
            String mailboxPassword) throws Exception {
        return Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers),
                Map.entry("SMTP_HOST", "localhost"),
                Map.entry("SMTP_PORT", "2587"),
                Map.entry("SMTP_USERNAME", "gateway"),
                Map.entry("SMTP_PASSWORD_FILE", Files.writeString(work.resolve("relay-password"), relayPassword)
                        .toString()),
                Map.entry("SMTP_TRUST_CA_FILE", RELAY_CA.toString()),
                Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "gw.test"),
                Map.entry("GATEWAY_DEFAULT_FROM", FROM),
                Map.entry("GATEWAY_DKIM_KEYS_DIR", dkimKeys(work.resolve("dkim")).toString()),
                Map.entry("GATEWAY_BOUNCE_DOMAIN", "bounce.gw.test"),
                Map.entry("GATEWAY_BOUNCE_SECRET_FILE", bounceSecret(work.resolve("bounce-secret")).toString()),
                Map.entry("GATEWAY_BOUNCE_MAILBOX_URL", "imaps://localhost:9993/INBOX"),
                Map.entry("GATEWAY_BOUNCE_MAILBOX_USERNAME", "bounces"),
                Map.entry("GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE",
                        Files.writeString(work.resolve("mailbox-password"), mailboxPassword).toString()),
                Map.entry("GATEWAY_BOUNCE_MAILBOX_TRUST_CA_FILE", MAILBOX_CA.toString()),
                // Postfix's report arrives within seconds; the default poll delay (30 s) would only slow the test.
                Map.entry("GATEWAY_BOUNCE_MAILBOX_POLL_DELAY", "1s"),
                Map.entry("GATEWAY_TOPIC_EVENTS", "mail.events"));
    }

    private static String request(String id) {
        return """
                {"id": "%s", "to": ["%s"], "subject": "Your order",
                 "text": "Thank you for your order.", "tags": {"kind": "order"}}"""
                .formatted(id, BOUNCING_RECIPIENT);
    }

    /** A signing key for the From domain, so the mail that bounces is the one the gateway sends in production. */
    private static Path dkimKeys(Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(Files.createDirectories(dir.resolve("gw.test")).resolve("ci.pem"), pem);
        return dir;
    }

    private static Path bounceSecret(Path file) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Files.write(file, secret);
    }

    private static JsonNode awaitEvent(KafkaTopics.Reader events, String id, String event, GatewayProcess gateway) {
        try {
            return await().atMost(REPORT_ROUND_TRIP)
                    .until(() -> events.allJson(id).stream().filter(json -> event.equals(json.path("event").asText()))
                            .findFirst().orElse(null), found -> found != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + event + " event for " + id + " within " + REPORT_ROUND_TRIP
                    + "; the gateway said:\n" + gateway.output(), e);
        }
    }

    private static boolean suppressionFor(KafkaTopics.Reader suppressions, String address) {
        for (ConsumerRecord<String, byte[]> record : suppressions.records()) {
            String key = String.valueOf(record.key());
            String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            if (key.contains(address) || value.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
