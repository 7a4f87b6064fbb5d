package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * The artifact users run: {@code java -jar target/mail-gateway.jar}, configured only by environment variables,
 * with the routes and templates bundled in the jar, delivering over STARTTLS + AUTH.
 */
class PackagedJarIT {

    @Test
    void packagedJarDeliversARequestEndToEndAndReportsHealthAndMetrics(@TempDir Path work) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(2, "orders.mail");
            broker.createTopics(1, "orders.mail.results", "orders.mail.dlq", "orders.mail.retry", "orders.mail.state", "orders.mail.suppressions");
            Path runDir = Files.createDirectories(work.resolve("run"));
            Map<String, String> environment = new HashMap<>(relay.gatewayEnvironment(work));
            environment.putAll(Map.ofEntries(
                            Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                            Map.entry("GATEWAY_TOPIC_OUTBOUND", "orders.mail"),
                            Map.entry("GATEWAY_TOPIC_RESULTS", "orders.mail.results"),
                            Map.entry("GATEWAY_TOPIC_DLQ", "orders.mail.dlq"),
                            Map.entry("GATEWAY_TOPIC_RETRY", "orders.mail.retry"),
                            Map.entry("GATEWAY_TOPIC_STATE", "orders.mail.state"),
                            Map.entry("GATEWAY_TOPIC_SUPPRESSIONS", "orders.mail.suppressions"),
                            Map.entry("GATEWAY_GROUP_ID", "packaged-jar-it"),
                            Map.entry("SMTP_SECURITY", "starttls"),
                            Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                            Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example")));
            try (KafkaTopics.Reader results = kafka.read("orders.mail.results");
                    GatewayProcess gateway = GatewayProcess.start(runDir, environment)) {

                kafka.send("orders.mail", "jar-1", """
                        {"id": "jar-1", "template": "welcome", "locale": "de",
                         "to": ["grace@example.org"], "data": {"name": "Grace", "brand": {"name": "ACME"},
                         "loginUrl": "https://acme.example/login"}}""");

                JsonNode result = results.awaitJson("jar-1");
                assertThat(result.get("status").asText()).as(gateway.output()).isEqualTo("SENT");
                var mail = relay.awaitMessageId(MessageIds.forRequest("jar-1", "noreply@acme.example"));
                assertThat(mail.envelopeRecipients()).containsExactly("grace@example.org");
                assertThat(mail.toMimeMessage().getSubject()).contains("Willkommen", "Grace");

                assertThat(gateway.httpStatus("/observe/health/live")).isEqualTo(200);
                assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(200);
                String metrics = gateway.get("/observe/metrics").body();
                assertThat(metrics).contains("consume-requests",
                        "mail_gateway_results_total{reason=\"none\",replay=\"false\",status=\"SENT\"} 1.0",
                        "mail_gateway_smtp_submission_seconds_bucket", "mail_gateway_retry_backlog",
                        "mail_gateway_consumer_lag 0.0");
                assertThat(gateway.output()).doesNotContain(relay.password());

                // Readiness follows the Kafka consumer: without a broker the instance must leave the load balancer.
                broker.stop();
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> gateway.httpStatus("/observe/health/ready") == 503);
                assertThat(gateway.httpStatus("/observe/health/live")).isEqualTo(200);

                gateway.stop();
                assertThat(gateway.output()).doesNotContain(relay.password());
            }
        }
    }
}
