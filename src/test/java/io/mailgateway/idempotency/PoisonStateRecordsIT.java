package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;

/**
 * Records on the state topic that are not completed results (no key, not JSON) are skipped and counted: the index
 * goes on with the next record, and a request whose id has only such a record is handled as new.
 */
class PoisonStateRecordsIT {

    private static final String STATE = "mail.state";

    @Test
    void unusableStateRecordsAreSkippedAndCountedAndRequestsGoOn(@TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            String id = "state-poison-" + UUID.randomUUID();
            gateway.kafka().send(STATE, null, "{\"id\": \"no key\"}".getBytes(StandardCharsets.UTF_8), Map.of());
            gateway.kafka().send(STATE, id, "{\"id\": ".getBytes(StandardCharsets.UTF_8), Map.of());
            CompletedRequests completed = gateway.bean("completedRequests", CompletedRequests.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> completed.size() >= 1);

            gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));

            assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                    .contains("mail_gateway_poison_records_total{topic=\"mail.state\"} 2.0"));
            assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(200);
        }
    }
}
