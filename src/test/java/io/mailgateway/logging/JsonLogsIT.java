package io.mailgateway.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ScriptedSmtpServer;

/**
 * The packaged gateway with GATEWAY_LOG_FORMAT=json, at DEBUG level, through a refused and an accepted AUTH: every
 * line of its output is one ECS event, the lines written while a request is handled name its id and tenant (and only
 * its own), and the SMTP password appears nowhere.
 */
class JsonLogsIT {

    private static final String USER = "gateway";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsAnEcsEventAndRequestLinesNameTheirRequestAndTenant(@TempDir Path work) throws Exception {
        String password = "Pw-" + UUID.randomUUID();
        LocalCertificate certificate = LocalCertificate.create(work.resolve("tls"));
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                ScriptedSmtpServer relay = ScriptedSmtpServer.builder().startTls(certificate)
                        .credentials(USER, password).start();
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state",
                    "mail.suppressions");
            Path runDir = Files.createDirectories(work.resolve("run"));
            List<JsonNode> events = new ArrayList<>();
            try (KafkaTopics.Reader results = kafka.read("mail.results");
                    GatewayProcess gateway = GatewayProcess.start(runDir, Map.ofEntries(
                            Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                            Map.entry("GATEWAY_GROUP_ID", "json-logs-it"),
                            Map.entry("GATEWAY_LOG_FORMAT", "json"),
                            Map.entry("GATEWAY_LOG_LEVEL", "DEBUG"),
                            // one send thread: the second request runs on the thread the first one used
                            Map.entry("GATEWAY_PARALLEL_SENDS", "1"),
                            Map.entry("GATEWAY_RELAY_PROBE_INTERVAL_MS", "300"),
                            Map.entry("SMTP_HOST", ScriptedSmtpServer.HOST),
                            Map.entry("SMTP_PORT", String.valueOf(relay.port())),
                            Map.entry("SMTP_USERNAME", USER),
                            Map.entry("SMTP_PASSWORD", password),
                            Map.entry("SMTP_TRUST_CA_FILE", certificate.caPemFile().toString()),
                            Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                            Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example")))) {

                // the relay refuses the gateway's password: the request waits, and the refusal is logged in its name
                relay.acceptCredentials(USER, "changed-on-the-relay");
                relay.dropOpenConnections();
                send(kafka, "json-logs-acme", "\"tags\": {\"tenant\": \"acme\"},");
                await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
                relay.acceptCredentials(USER, password);
                assertThat(results.awaitStatus("json-logs-acme", "SENT").get("terminal").asBoolean()).isTrue();
                // a request of no tenant, on the same thread after it
                send(kafka, "json-logs-none", "");
                assertThat(results.awaitStatus("json-logs-none", "SENT").get("terminal").asBoolean()).isTrue();
                gateway.stop();

                String output = gateway.output();
                for (String line : output.split("\n")) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (Exception e) {
                        fail("not one JSON event per line: %s", line);
                    }
                }
                assertThat(output).doesNotContain(password, base64(password),
                        base64("\0" + USER + "\0" + password));
            }

            assertThat(events).hasSizeGreaterThan(10).allSatisfy(event -> {
                assertThat(event.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
                assertThat(event.path("log.level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
                assertThat(event.path("message").isTextual()).isTrue();
                assertThat(event.path("log.logger").asText()).isNotEmpty();
                assertThat(event.path("process.thread.name").asText()).isNotEmpty();
                assertThat(event.path("ecs.version").asText()).isNotEmpty();
                assertThat(event.path("service.name").asText()).isEqualTo("mail-gateway");
            });
            assertThat(events).as("a stack trace is a field of its event, not lines of its own")
                    .anyMatch(e -> e.path("error.stack_trace").asText().contains("\n\tat "));
            assertThat(events).as("the control: DEBUG lines were written").anyMatch(e -> e.path("log.level").asText().equals("DEBUG"));

            List<JsonNode> acme = events.stream()
                    .filter(e -> e.path("mail.request_id").asText().equals("json-logs-acme")).toList();
            assertThat(acme).as("lines in the name of the refused request").isNotEmpty()
                    .allSatisfy(e -> assertThat(e.path("mail.tenant").asText()).isEqualTo("acme"));
            assertThat(acme).anyMatch(e -> e.path("message").asText().toLowerCase().contains("auth"));
            List<JsonNode> none = events.stream()
                    .filter(e -> e.path("mail.request_id").asText().equals("json-logs-none")).toList();
            assertThat(none).as("the next request's lines do not carry the tenant of the one before")
                    .allSatisfy(e -> assertThat(e.has("mail.tenant")).isFalse());
            assertThat(events).as("lines with a tenant always name their request")
                    .filteredOn(e -> e.has("mail.tenant")).allSatisfy(e -> assertThat(e.has("mail.request_id")).isTrue());
        }
    }

    @Test
    void anUnknownLogFormatStopsTheGatewayWithTheReason(@TempDir Path work) throws Exception {
        Path output = work.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "mail-gateway.jar").toAbsolutePath().toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("GATEWAY_LOG_FORMAT", "xml");
        Process gateway = builder.start();

        assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("the gateway stops by itself").isTrue();
        assertThat(gateway.exitValue()).isNotZero();
        assertThat(Files.readString(output)).contains("GATEWAY_LOG_FORMAT must be text or json but was xml");
    }

    private static void send(KafkaTopics kafka, String id, String tags) {
        kafka.send("mail.outbound", id, """
                {"id": "%s", %s "to": ["grace@example.org"], "subject": "Status", "text": "Hello"}"""
                .formatted(id, tags));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
