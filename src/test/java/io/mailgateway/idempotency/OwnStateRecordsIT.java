package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import io.mailgateway.kafka.CompactedTopicFollower;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.KafkaTopics;

/**
 * On a real Kafka broker: an instance does not read back the state records it wrote itself (it remembered them when
 * it wrote them), while the records of every other instance, and its own from before a restart, are still read.
 */
class OwnStateRecordsIT {

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
    void theFollowerPassesOverRecordsWrittenByItsOwnInstanceAndReadsAllOthers() throws Exception {
        String topic = topic();
        kafka.send(topic, "own", new byte[] {1}, Map.of(CompactedTopicFollower.WRITER_HEADER, "instance-a"));
        kafka.send(topic, "other", new byte[] {2}, Map.of(CompactedTopicFollower.WRITER_HEADER, "instance-b"));
        kafka.send(topic, "unnamed", new byte[] {3}, Map.of());
        List<String> read = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = new CompactedTopicFollower(clients, topic, "test records",
                LoggerFactory.getLogger(OwnStateRecordsIT.class),
                (key, value, partition, offset, timestamp) -> read.add(key), () -> { }, FollowerSettings.DEFAULT,
                "instance-a");
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            follower.start(context.getExecutorServiceManager());
            await().atMost(WAIT).until(() -> follower.problem() == null);
            // Read up to the end: the skipped record is behind the follower, not waiting.
            assertThat(read).containsExactlyInAnyOrder("other", "unnamed");
        } finally {
            follower.stop();
            context.close();
        }
    }

    @Test
    void anotherInstanceFindsWhatOneCompletedAndTheWriterItselfFindsItWithoutReadingItBack() {
        String topic = topic();
        try (CompletedRequests first = started(topic); CompletedRequests second = started(topic)) {
            PublishedOutcomes.publish(broker, clients, first, PublishedOutcomes.sent("order-1"));

            assertThat(first.find("order-1").id()).isEqualTo("order-1");
            await().atMost(WAIT).until(() -> second.find("order-1") != null);
            assertThat(second.find("order-1").replay()).isTrue();
            PublishedOutcomes.publish(broker, clients, first, PublishedOutcomes.sent("order-2"));
            await().atMost(WAIT).until(() -> second.find("order-2") != null);
            first.markCatchUpPoint();
            assertThat(first.find("order-2").id()).isEqualTo("order-2");
            assertThat(first.size()).isEqualTo(2);
        }
        try (CompletedRequests restarted = started(topic)) {
            restarted.markCatchUpPoint();
            assertThat(restarted.find("order-1").id()).isEqualTo("order-1");
            assertThat(restarted.size()).isEqualTo(2);
        }
    }

    private static CompletedRequests started(String topic) {
        CompletedRequests completed = new CompletedRequests(clients, topic, Duration.ofDays(7), Clock.systemUTC(),
                FollowerSettings.DEFAULT, 0);
        completed.setCamelContext(new DefaultCamelContext());
        completed.start();
        return completed;
    }

    private static String topic() {
        String topic = "state-" + UUID.randomUUID();
        broker.createTopics(1, topic);
        return topic;
    }
}
