package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;

/**
 * A tenant topic that does not exist when the gateway starts is readiness DOWN naming it, like any topic the gateway
 * needs; once it exists, requests flow on every request topic without a restart, each as its topic's tenant, and the
 * consumer lag covers them all.
 */
class MissingTenantTopicIT {

    private static final String ACME_TOPIC = "mail.outbound.acme";
    private static final String GLOBEX_TOPIC = "mail.outbound.globex";

    @Test
    void aMissingTenantTopicHoldsConsumptionUntilItExists(@TempDir Path work) throws Exception {
        Path tenants = Files.writeString(work.resolve("topic-tenants.yaml"), """
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                  globex:
                """);
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of("gateway.tenants-file", tenants.toString()),
                ACME_TOPIC)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503
                    && gateway.httpBody("/observe/health/ready").contains("topic " + GLOBEX_TOPIC + " does not exist"));

            String id = "waits-for-tenant-topic-" + UUID.randomUUID();
            gateway.kafka().send(ACME_TOPIC, id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
            assertThat(gateway.results().allJson(id)).isEmpty();

            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new NewTopic(GLOBEX_TOPIC, 1, (short) 1))).all().get();
            }

            JsonNode sent = gateway.results().awaitStatus(id, "SENT");
            assertThat(sent.path("tags").path("tenant").asText()).isEqualTo("acme");
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);

            String shared = "shared-" + UUID.randomUUID();
            gateway.kafka().send(InJvmGateway.OUTBOUND, shared, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(shared, shared));
            String globex = "globex-" + UUID.randomUUID();
            gateway.kafka().send(GLOBEX_TOPIC, globex, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(globex, globex));
            assertThat(gateway.results().awaitStatus(shared, "SENT").path("tags").has("tenant")).isFalse();
            assertThat(gateway.results().awaitStatus(globex, "SENT").path("tags").path("tenant").asText())
                    .isEqualTo("globex");
            assertThat(gateway.relay().server().acceptedCount()).isEqualTo(3);
            // The consumer lag is measured over every request topic: known (not NaN) and nothing left waiting.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> gateway.httpBody("/observe/metrics").contains("mail_gateway_consumer_lag 0.0"));
        }
    }
}
