package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.RestartBackoff;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecords;
import io.mailgateway.support.MovableClock;

/**
 * When reading the retry topic fails, the retry queue hands out nothing, says why, waits a backoff instead of failing
 * on every tick, and reads again with a new consumer when the old one cannot recover.
 */
class RetryQueueTest {

    @Test
    void aFailedReadIsReportedWaitedOutAndRetriedWithANewConsumer() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        // Never reaches a broker: polls return nothing.
        RetryQueue queue = new RetryQueue(
                new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9")),
                "mail.retry", "test.retry", clock, new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                PoisonRecords.NOT_COUNTED);
        BackgroundHealthCheck readiness = (BackgroundHealthCheck) queue.healthCheck();
        readiness.setCamelContext(new DefaultCamelContext());
        try {
            assertThat(queue.due()).isEmpty();
            assertThat(queue.problem()).isNull();

            // A consumer that cannot be used any more, as after a fatal error.
            queue.close();
            assertThat(queue.due()).isEmpty();
            assertThat(queue.problem()).contains("mail.retry", "IllegalStateException");
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.DOWN);

            clock.advance(Duration.ofMillis(500));
            assertThat(queue.due()).as("still waiting").isEmpty();
            assertThat(queue.problem()).isNotNull();

            clock.advance(Duration.ofMillis(600));
            assertThat(queue.due()).isEmpty();
            assertThat(queue.problem()).as("read again with a new consumer").isNull();
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.UP);
        } finally {
            queue.close();
        }
    }
}
