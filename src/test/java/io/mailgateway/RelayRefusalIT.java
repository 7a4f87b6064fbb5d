package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.TestRelay;

/**
 * A relay that refuses the gateway itself (here: its password) stops consumption and turns readiness DOWN,
 * instead of turning the backlog into FAILED results; consumption resumes once the relay accepts again.
 */
class RelayRefusalIT {

    @Test
    void authenticationFailureStopsConsumptionUntilTheRelayAcceptsAgain(@TempDir Path work) throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of())) {
            TestRelay relay = gateway.relay();
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            relay.server().changeCredentials(TestRelay.USERNAME, "rotated-" + UUID.randomUUID());

            String first = "waits-" + UUID.randomUUID();
            String second = "waits-too-" + UUID.randomUUID();
            long firstOffset = gateway.kafka().send(InJvmGateway.OUTBOUND, first, """
                    {"id": "%s", "to": ["a@example.org"], "subject": "s", "text": "t"}""".formatted(first));
            gateway.kafka().send(InJvmGateway.OUTBOUND, second, """
                    {"id": "%s", "to": ["b@example.org"], "subject": "s", "text": "t"}""".formatted(second));

            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
            assertThat(gateway.httpStatus("/observe/health/live")).isEqualTo(200);
            assertThat(gateway.results().allJson(first)).isEmpty();
            assertThat(gateway.results().allJson(second)).isEmpty();
            assertThat(gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0))
                    .isLessThanOrEqualTo(firstOffset);

            relay.server().changeCredentials(TestRelay.USERNAME, relay.password());

            assertThat(gateway.results().awaitStatus(first, "SENT").get("terminal").asBoolean()).isTrue();
            assertThat(gateway.results().awaitStatus(second, "SENT").get("terminal").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            // One result each. The second may also be answered with a replay: sent while the first still failed
            // (the relay came back between their attempts), it is read again with the first.
            for (String id : List.of(first, second)) {
                assertThat(gateway.results().originalResults(id)).as(id).hasSize(1);
                assertThat(gateway.results().allJson(id)).as(id)
                        .allSatisfy(result -> assertThat(result.get("status").asText()).isEqualTo("SENT"));
            }
            assertThat(relay.server().received()).as("one mail per request").hasSize(2);
        }
    }
}
