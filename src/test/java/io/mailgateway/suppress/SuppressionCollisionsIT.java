package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToLongFunction;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.KeyIndex;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.MovableClock;

/**
 * The suppression list with every address hashed into one slot, on a real Kafka broker: an entry never suppresses
 * another address (the key of the entry's record is read back), and colliding addresses keep their own entries
 * through tombstones, expiry and a second instance reading the topic back from its beginning.
 */
class SuppressionCollisionsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ToLongFunction<String> ONE_SLOT = key -> 1L;

    @TempDir
    static Path work;

    static LocalKafkaBroker broker;
    static KafkaClients clients;

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
        clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void anAddressWhoseHashAndFingerprintBothMatchAnEntryIsNotSuppressedByIt() {
        String topic = topic();
        // Both hashes collide for every address: only reading the entry's record back can tell them apart.
        try (SuppressionList list = started(topic, ONE_SLOT, ONE_SLOT, Clock.systemUTC())) {
            list.add(manual("alice@example.org"));

            assertThat(list.isSuppressed("alice@example.org")).isTrue();
            assertThat(list.isSuppressed("mallory@example.org")).isFalse();
            assertThat(list.isSuppressed("mallory@example.org", false)).isFalse();
        }
    }

    @Test
    void collidingAddressesStaySuppressedAndATombstoneLiftsOnlyItsOwn() {
        String topic = topic();
        try (SuppressionList list = started(topic, ONE_SLOT, String::hashCode, Clock.systemUTC())) {
            list.add(manual("alice@example.org"));
            list.add(manual("bob@example.org"));

            assertThat(list.isSuppressed("alice@example.org")).isTrue();
            assertThat(list.isSuppressed("bob@example.org")).isTrue();
            assertThat(list.isSuppressed("carol@example.org")).isFalse();

            list.remove("alice@example.org");

            assertThat(list.isSuppressed("alice@example.org")).isFalse();
            assertThat(list.isSuppressed("bob@example.org")).isTrue();
            // The follower reads the three records back after they were applied, older ones included.
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(list.size()).isEqualTo(1);
                assertThat(list.isSuppressed("bob@example.org")).isTrue();
                assertThat(list.isSuppressed("alice@example.org")).isFalse();
            });
        }
        // A second instance reads the same records from the topic's beginning and ends with the same list.
        try (SuppressionList second = started(topic, ONE_SLOT, String::hashCode, Clock.systemUTC())) {
            assertThat(second.isSuppressed("bob@example.org")).isTrue();
            assertThat(second.isSuppressed("alice@example.org")).isFalse();
            assertThat(second.isSuppressed("carol@example.org")).isFalse();
            assertThat(second.size()).isEqualTo(1);
        }
    }

    @Test
    void anExpiredEntryIsDroppedWithoutTheCollidingAddressesEntry() {
        String topic = topic();
        MovableClock clock = new MovableClock(Instant.now());
        try (SuppressionList list = started(topic, ONE_SLOT, String::hashCode, clock)) {
            list.add(new Suppression("alice@example.org", Suppression.MANUAL, null, clock.instant(),
                    clock.instant().plus(Duration.ofHours(1))));
            list.add(manual("bob@example.org"));
            list.add(new Suppression("carol@example.org", Suppression.MANUAL, null, clock.instant(),
                    clock.instant().plus(Duration.ofHours(1))));
            await().atMost(WAIT).until(() -> list.size() == 3);

            clock.advance(Duration.ofHours(2));

            assertThat(list.isSuppressed("alice@example.org")).isFalse();
            assertThat(list.isSuppressed("carol@example.org")).isFalse();
            assertThat(list.isSuppressed("bob@example.org")).isTrue();
            // dropped after the follower's next poll
            await().atMost(WAIT).until(() -> list.size() == 1);
            assertThat(list.isSuppressed("bob@example.org")).isTrue();
        }
    }

    private static SuppressionList started(String topic, ToLongFunction<String> hash,
            ToLongFunction<String> fingerprint, Clock clock) {
        SuppressionList list = new SuppressionList(clients, topic, Duration.ofDays(30), clock,
                FollowerSettings.DEFAULT, () -> new KeyIndex(true, hash, fingerprint));
        list.setCamelContext(new DefaultCamelContext());
        list.start();
        return list;
    }

    private static Suppression manual(String address) {
        return new Suppression(address, Suppression.MANUAL, null, Instant.now(), null);
    }

    private static String topic() {
        String topic = "suppressions-" + UUID.randomUUID();
        broker.createTopics(3, topic);
        return topic;
    }
}
