package io.mailgateway.idempotency;

import static io.mailgateway.kafka.CompactedTopicFollower.location;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.KeyIndex;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Status;

/**
 * The completed-request index with every id hashed into one slot, on the cached path (no broker is contacted):
 * an id is never answered with another id's result, and colliding ids keep their own results until each one's
 * window ends.
 */
class CompletedRequestsCollisionsTest {

    private static final KafkaClients NO_BROKER =
            new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToLongFunction<String> ONE_SLOT = key -> 1L;
    private static final Duration WINDOW = Duration.ofDays(7);

    @Test
    void anIdWhoseHashAndFingerprintBothMatchAnotherGetsNoReplay() throws Exception {
        try (CompletedRequests completed = completed(ONE_SLOT, ONE_SLOT)) {
            completed.remember("order-1", location(0, 1), System.currentTimeMillis(), result("order-1", Status.SENT));

            assertThat(completed.find("order-2")).isNull();
            assertThat(completed.find("order-1").status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void collidingIdsEachReplayTheirOwnResult() throws Exception {
        try (CompletedRequests completed = completed(ONE_SLOT, String::hashCode)) {
            long now = System.currentTimeMillis();
            completed.remember("order-1", location(0, 1), now, result("order-1", Status.SENT));
            completed.remember("order-2", location(1, 1), now, result("order-2", Status.FAILED));

            assertThat(completed.find("order-1").id()).isEqualTo("order-1");
            assertThat(completed.find("order-1").status()).isEqualTo(Status.SENT);
            assertThat(completed.find("order-2").id()).isEqualTo("order-2");
            assertThat(completed.find("order-2").status()).isEqualTo(Status.FAILED);
            assertThat(completed.find("order-3")).isNull();
            assertThat(completed.size()).isEqualTo(2);
        }
    }

    @Test
    void forgettingTheExpiredOfTwoCollidingIdsKeepsTheOther() throws Exception {
        try (CompletedRequests completed = completed(ONE_SLOT, String::hashCode)) {
            long now = System.currentTimeMillis();
            completed.remember("old", location(0, 1), now - WINDOW.toMillis() - 60_000, result("old", Status.SENT));
            completed.remember("recent", location(0, 2), now, result("recent", Status.SENT));

            completed.forgetExpired();

            assertThat(completed.find("old")).isNull();
            assertThat(completed.find("recent").id()).isEqualTo("recent");
            assertThat(completed.size()).isEqualTo(1);
        }
    }

    @Test
    void anOlderResultReadLateDoesNotReplaceTheNewerOne() throws Exception {
        try (CompletedRequests completed = completed(ONE_SLOT, String::hashCode)) {
            long now = System.currentTimeMillis();
            completed.remember("order-1", location(0, 9), now, result("order-1", Status.SENT));
            completed.remember("order-2", location(0, 10), now, result("order-2", Status.SENT));
            completed.remember("order-1", location(0, 3), now, result("order-1", Status.DEFERRED));

            assertThat(completed.find("order-1").status()).isEqualTo(Status.SENT);
            assertThat(completed.find("order-2").status()).isEqualTo(Status.SENT);
        }
    }

    private static CompletedRequests completed(ToLongFunction<String> hash, ToLongFunction<String> fingerprint) {
        return new CompletedRequests(NO_BROKER, "mail.state", WINDOW, Clock.systemUTC(), FollowerSettings.DEFAULT,
                CompletedRequests.DEFAULT_CACHE_BYTES, () -> new KeyIndex(false, hash, fingerprint));
    }

    private static byte[] result(String id, Status status) throws Exception {
        return JSON.writeValueAsBytes(new DeliveryResult(id, status, status != Status.DEFERRED, null, 1, null,
                List.of(), null, Map.of(), null, "t0", "t1"));
    }
}
