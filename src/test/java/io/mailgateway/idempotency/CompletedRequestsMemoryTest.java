package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

import io.mailgateway.kafka.KafkaClients;

/**
 * The idempotency index must hold a million ids in bounded, small memory: two 64-bit hashes and a location per id in
 * the index, and the slot, location and time of each id in the expiry queue.
 */
class CompletedRequestsMemoryTest {

    private static final int IDS = 1_000_000;

    @Test
    void aMillionIdsTakeLessThanNinetySixMebibytes() {
        // No broker is contacted: the index is filled directly, as the state-topic follower would fill it.
        try (CompletedRequests completed = new CompletedRequests(
                new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9")), "mail.state",
                Duration.ofDays(7), Clock.systemUTC())) {
            long now = System.currentTimeMillis();
            for (long i = 0; i < IDS; i++) {
                completed.remember("request-" + i, i, now, null);
            }

            assertThat(completed.size()).isEqualTo(IDS);
            long bytes = completed.memoryBytes();
            System.out.printf("idempotency index: %d ids in %.1f MiB (%d bytes per id)%n",
                    IDS, bytes / 1048576.0, bytes / IDS);
            assertThat(bytes).isLessThan(96L * 1024 * 1024);
        }
    }
}
