package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;

/**
 * A topic the gateway writes that does not exist when it starts: readiness is DOWN naming the topic and nothing is
 * consumed; once the topic exists, requests flow without a restart.
 */
class MissingTopicIT {

    private static final String ABSENT_DLQ = "mail.dlq.not-yet";

    @Test
    void aMissingTopicHoldsConsumptionUntilItExists(@TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of("gateway.topic.dlq", ABSENT_DLQ))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503
                    && gateway.httpBody("/observe/health/ready").contains("topic " + ABSENT_DLQ + " does not exist"));

            String id = "waits-for-topic-" + UUID.randomUUID();
            long offset = gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
            assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(503);
            assertThat(gateway.results().allJson(id)).isEmpty();
            assertThat(gateway.relay().server().acceptedCount()).isZero();
            assertThat(gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0))
                    .isLessThanOrEqualTo(offset);

            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new NewTopic(ABSENT_DLQ, 1, (short) 1))).all().get();
            }

            gateway.results().awaitStatus(id, "SENT");
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            assertThat(gateway.relay().server().acceptedCount()).isEqualTo(1);
        }
    }
}
