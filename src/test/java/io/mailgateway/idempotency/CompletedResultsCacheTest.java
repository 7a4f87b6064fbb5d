package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Reason;
import io.mailgateway.result.DeliveryResult.Status;

/** The completed results kept in memory are bounded by their bytes, whatever their number or size. */
class CompletedResultsCacheTest {

    private static final KafkaClients NO_BROKER =
            new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void resultsOfAHundredMebibytesAreHeldInTheConfiguredMebibyte() {
        long bound = 1024 * 1024;
        // No broker is contacted: results are remembered directly, as the state-topic follower would.
        try (CompletedRequests completed = new CompletedRequests(NO_BROKER, "mail.state", Duration.ofDays(7),
                Clock.systemUTC(), bound)) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 1000; i++) {
                completed.remember("large-" + i, i, now, new byte[100 * 1024]);
                assertThat(completed.cachedResultBytes()).isLessThanOrEqualTo(bound);
            }
            // every id is still known; only the results themselves left memory
            assertThat(completed.size()).isEqualTo(1000);
        }
    }

    @Test
    void manySmallResultsAreBoundedByBytesNotByCount() {
        long bound = 64 * 1024;
        try (CompletedRequests completed = new CompletedRequests(NO_BROKER, "mail.state", Duration.ofDays(7),
                Clock.systemUTC(), bound)) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 50_000; i++) {
                completed.remember("small-" + i, i, now, new byte[200]);
            }
            assertThat(completed.cachedResultBytes()).isLessThanOrEqualTo(bound).isPositive();
        }
    }

    @Test
    void aCachedResultIsReplayedWithoutReadingTheTopic() throws Exception {
        try (CompletedRequests completed = new CompletedRequests(NO_BROKER, "mail.state", Duration.ofDays(7),
                Clock.systemUTC(), CompletedRequests.DEFAULT_CACHE_BYTES)) {
            DeliveryResult rejected = new DeliveryResult("cached-1", Status.FAILED, true, null, 1, null, List.of(),
                    new Reason("message-rejected", "5.7.1 no"), Map.of("kind", "test"), null, "t0", "t1");
            completed.remember("cached-1", 7, System.currentTimeMillis(), JSON.writeValueAsBytes(rejected));

            DeliveryResult replay = completed.find("cached-1");

            assertThat(replay.replay()).isTrue();
            assertThat(replay.status()).isEqualTo(Status.FAILED);
            assertThat(replay.tags()).containsEntry("kind", "test");
        }
    }

    @Test
    void aNegativeBoundIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new CompletedRequests(NO_BROKER, "mail.state",
                Duration.ofDays(7), Clock.systemUTC(), -1));
    }
}
