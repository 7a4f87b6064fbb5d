package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;

/**
 * Records on the retry topic that are not usable retries (not JSON, no state, a next attempt that is not an instant)
 * are skipped and counted, and the retries behind them in the partition still go out. Before, a record without its
 * state or with a bad instant failed every round of the retry queue, and every retry behind it waited for good.
 */
class PoisonRetryRecordsIT {

    private static final String RETRY = "mail.retry";

    @Test
    void unusableRetryRecordsAreSkippedAndCountedAndTheRetriesBehindThemGoOut(@TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of("gateway.retry.max-age", "1h"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            String now = Instant.now().toString();
            send(gateway, "not-json", "{\"id\": \"not-json\", \"request\": ");
            send(gateway, "no-state", """
                    {"id": "no-state", "request": {"id": "no-state", "to": ["a@example.org"], "subject": "s", "text": "t"},
                     "notBefore": "%s"}""".formatted(now));
            send(gateway, "bad-instant", """
                    {"id": "bad-instant", "request": {"id": "bad-instant", "to": ["a@example.org"], "subject": "s", "text": "t"},
                     "state": {"attempts": 1, "receivedAt": "%s", "settled": [], "pending": null, "unknownOutcomeResent": false},
                     "notBefore": "tomorrow"}""".formatted(now));
            String id = "retried-" + UUID.randomUUID();
            send(gateway, id, """
                    {"id": "%s", "request": {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"},
                     "state": {"attempts": 1, "receivedAt": "%s", "settled": [], "pending": null, "unknownOutcomeResent": false},
                     "notBefore": "%s"}""".formatted(id, id, id, now, now));

            assertThat(gateway.results().awaitStatus(id, "SENT").get("attempt").asInt()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                    .contains("mail_gateway_poison_records_total{topic=\"mail.retry\"} 3.0"));
            assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(200);
        }
    }

    private static void send(InJvmGateway gateway, String key, String value) {
        gateway.kafka().send(RETRY, key, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
