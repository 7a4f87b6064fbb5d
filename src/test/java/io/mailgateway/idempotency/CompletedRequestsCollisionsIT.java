package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import io.mailgateway.support.KafkaTopics;

/**
 * The completed-request index with every id hashed into one slot and no results cached, on a real Kafka broker:
 * each lookup reads the result from the topic, an id never gets another id's result, and colliding ids keep their
 * own results through a tombstone and a second instance reading the topic back from its beginning.
 */
class CompletedRequestsCollisionsIT {

    private static final ToLongFunction<String> ONE_SLOT = key -> 1L;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static LocalKafkaBroker broker;
    static KafkaClients clients;
    static KafkaTopics kafka;

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
        clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        kafka = new KafkaTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void anIdWhoseHashAndFingerprintBothMatchAnotherGetsNoReplayFromTheTopic() {
        String topic = topic();
        try (CompletedRequests completed = started(topic, ONE_SLOT, ONE_SLOT)) {
            PublishedOutcomes.publish(broker, clients, completed, PublishedOutcomes.sent("order-1"));

            assertThat(completed.find("order-2")).isNull();
            assertThat(completed.supersedes("order-2", 0)).isFalse();
            assertThat(completed.find("order-1").id()).isEqualTo("order-1");
        }
    }

    @Test
    void collidingIdsEachReplayTheirOwnResultAndATombstoneForgetsOnlyItsOwn() {
        String topic = topic();
        try (CompletedRequests completed = started(topic, ONE_SLOT, String::hashCode)) {
            PublishedOutcomes.publish(broker, clients, completed, PublishedOutcomes.sent("order-1"));
            PublishedOutcomes.publish(broker, clients, completed, PublishedOutcomes.sent("order-2"));

            assertThat(completed.find("order-1").id()).isEqualTo("order-1");
            assertThat(completed.find("order-2").id()).isEqualTo("order-2");
            assertThat(completed.find("order-3")).isNull();

            kafka.send(topic, "order-1", null, Map.of());

            await().atMost(WAIT).until(() -> completed.find("order-1") == null);
            assertThat(completed.find("order-2").id()).isEqualTo("order-2");
        }
        try (CompletedRequests second = started(topic, ONE_SLOT, String::hashCode)) {
            second.markCatchUpPoint();
            assertThat(second.find("order-2").id()).isEqualTo("order-2");
            assertThat(second.find("order-2").replay()).isTrue();
            assertThat(second.find("order-1")).isNull();
            assertThat(second.size()).isEqualTo(1);
        }
    }

    private static CompletedRequests started(String topic, ToLongFunction<String> hash,
            ToLongFunction<String> fingerprint) {
        CompletedRequests completed = new CompletedRequests(clients, topic, Duration.ofDays(7), Clock.systemUTC(),
                FollowerSettings.DEFAULT, 0, () -> new KeyIndex(false, hash, fingerprint));
        completed.setCamelContext(new DefaultCamelContext());
        completed.start();
        return completed;
    }

    private static String topic() {
        String topic = "state-" + UUID.randomUUID();
        broker.createTopics(3, topic);
        return topic;
    }
}
