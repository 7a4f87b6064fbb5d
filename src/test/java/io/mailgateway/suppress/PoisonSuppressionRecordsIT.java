package io.mailgateway.suppress;

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
 * Records on the suppression topic that cannot be entries (a timestamp out of range, not JSON, wrong types, too
 * large, no key) are skipped and counted: the list goes on with the next record, requests keep getting results, and
 * entries written after them still suppress. Before, one such record ended the list's reader for good.
 */
class PoisonSuppressionRecordsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void malformedSuppressionRecordsAreSkippedAndCountedAndLaterEntriesStillApply(@TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of())) {
            await().atMost(WAIT).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            SuppressionList list = gateway.bean("suppressionList", SuppressionList.class);

            String overflowing = unique("overflow");
            // addedAt plus the time to live lies beyond the last instant Java can hold
            poison(gateway, overflowing, """
                    {"address": "%s", "reason": "manual", "addedAt": "+1000000000-12-31T00:00:00Z"}""");
            // an expiry whose epoch milliseconds do not fit in a long
            poison(gateway, unique("far-future"), """
                    {"address": "%s", "reason": "manual", "expiresAt": "+300000000-01-01T00:00:00Z"}""");
            poison(gateway, unique("not-json"), "{\"address\": \"%s\", \"reason\": ");
            poison(gateway, unique("wrong-types"), """
                    {"address": "%s", "reason": ["manual"], "addedAt": 1764583200}""");
            poison(gateway, unique("huge"), """
                    {"address": "%s", "reason": "manual", "tenant": "PADDING"}""".replace("PADDING", "x".repeat(100_000)));
            gateway.kafka().send(InJvmGateway.SUPPRESSIONS, null,
                    "{\"address\": \"nokey@example.org\", \"reason\": \"manual\"}".getBytes(StandardCharsets.UTF_8), Map.of());

            String blocked = unique("later");
            gateway.kafka().send(InJvmGateway.SUPPRESSIONS, blocked,
                    new Suppression(blocked, Suppression.MANUAL, null, Instant.now(), null).toJson(), Map.of());
            await().atMost(WAIT).until(() -> list.isSuppressed(blocked));
            assertThat(list.isSuppressed(overflowing)).isFalse();

            String suppressedId = request(gateway, blocked);
            String sentId = request(gateway, unique("open"));
            assertThat(gateway.results().awaitJson(suppressedId).get("status").asText()).isEqualTo("SUPPRESSED");
            assertThat(gateway.results().awaitJson(sentId).get("status").asText()).isEqualTo("SENT");

            await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                    .contains("mail_gateway_poison_records_total{topic=\"mail.suppressions\"} 6.0"));
            assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(200);
        }
    }

    private static void poison(InJvmGateway gateway, String address, String template) {
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, address,
                template.formatted(address).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static String request(InJvmGateway gateway, String to) {
        String id = "poison-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "s", "text": "t"}""".formatted(id, to));
        return id;
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID() + "@example.org";
    }
}
