package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ScriptedSmtpServer;

/**
 * The packaged gateway at DEBUG level, through accepted and refused AUTH: the SMTP password, in clear or
 * as AUTH would carry it, and the message text appear in no log line, no result and no health answer.
 */
class SecretsInLogsIT {

    private static final String USER = "gateway";
    private static final String BODY_MARKER = "the-body-text-" + UUID.randomUUID();

    @Test
    void passwordAndMessageTextStayOutOfLogsResultsAndHealthAtDebugLevel(@TempDir Path work) throws Exception {
        String password = "Pw-" + UUID.randomUUID();
        String unsubscribeSecret = "Unsubscribe-" + UUID.randomUUID();
        LocalCertificate certificate = LocalCertificate.create(work.resolve("tls"));
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                ScriptedSmtpServer relay = ScriptedSmtpServer.builder().startTls(certificate)
                        .credentials(USER, password).start();
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            Path runDir = Files.createDirectories(work.resolve("run"));
            try (KafkaTopics.Reader results = kafka.read("mail.results");
                    GatewayProcess gateway = GatewayProcess.start(runDir, Map.ofEntries(
                            Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                            Map.entry("GATEWAY_GROUP_ID", "secrets-it"),
                            Map.entry("GATEWAY_LOG_LEVEL", "DEBUG"),
                            Map.entry("GATEWAY_RELAY_PROBE_INTERVAL_MS", "300"),
                            Map.entry("SMTP_HOST", ScriptedSmtpServer.HOST),
                            Map.entry("SMTP_PORT", String.valueOf(relay.port())),
                            Map.entry("SMTP_USERNAME", USER),
                            // the environment variable, not the file: the value then passes Camel's own properties
                            Map.entry("SMTP_PASSWORD", password),
                            Map.entry("GATEWAY_UNSUBSCRIBE_SECRET", unsubscribeSecret),
                            Map.entry("SMTP_TRUST_CA_FILE", certificate.caPemFile().toString()),
                            Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                            Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example")))) {

                // a successful AUTH
                send(kafka, "secret-1");
                assertThat(results.awaitJson("secret-1").get("status").asText()).isEqualTo("SENT");

                // a refused AUTH, as when the password was changed on the relay's side only: consumption stops, and
                // readiness and the health details say so
                relay.acceptCredentials(USER, "changed-on-the-relay");
                // Sessions authenticated before stay valid; a relay restart ends them.
                relay.dropOpenConnections();
                send(kafka, "secret-2");
                await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
                String healthWhileRefused = gateway.get("/observe/health").body();
                assertThat(healthWhileRefused).contains("DOWN");

                String readinessWhileRefused = gateway.get("/observe/health/ready").body();
                assertThat(results.allJson("secret-2")).isEmpty();

                // the relay accepts the gateway's password again: the request that waited goes out
                relay.acceptCredentials(USER, password);
                assertThat(results.awaitStatus("secret-2", "SENT").get("terminal").asBoolean()).isTrue();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(gateway.httpStatus("/observe/health/ready"))
                        .as(() -> health(gateway)).isEqualTo(200));
                gateway.stop();

                String output = gateway.output();
                // the controls: logging really was at DEBUG, and the secrets searched for really crossed the wire
                assertThat(output).contains(" DEBUG ");
                assertThat(relay.tlsText()).containsAnyOf(base64(password), base64("\0" + USER + "\0" + password));
                assertThat(relay.messages()).hasSize(2)
                        .allSatisfy(mail -> assertThat(mail.rawAsString()).contains(BODY_MARKER));

                List<String> places = new ArrayList<>(List.of(output, healthWhileRefused, readinessWhileRefused));
                for (ConsumerRecord<String, byte[]> record : results.records()) {
                    places.add(new String(record.value(), StandardCharsets.UTF_8));
                    for (Header header : record.headers()) {
                        places.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
                for (String place : places) {
                    assertThat(place).doesNotContain(password, base64(password),
                            base64("\0" + USER + "\0" + password), base64(USER + "\0" + USER + "\0" + password),
                            BODY_MARKER, unsubscribeSecret);
                }
            }
        }
    }

    private static String health(GatewayProcess gateway) {
        try {
            return gateway.get("/observe/health?exposureLevel=full").body();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void send(KafkaTopics kafka, String id) {
        kafka.send("mail.outbound", id, """
                {"id": "%s", "to": ["grace@example.org"], "subject": "Status", "text": "%s"}""".formatted(id, BODY_MARKER));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
