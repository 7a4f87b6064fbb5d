package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.RestartBackoff;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.KafkaTopics;

/**
 * The follower against a real Kafka broker: it reads a topic from its beginning, tombstones included, counts as
 * caught up once it has read what the topic held when it began (or up to a point its owner sets), keeps reading
 * what is written later, and waits for a topic that does not exist yet. It skips and counts records its owner
 * cannot use, and when handling a record fails otherwise it starts again from that record (skipping it as poison
 * after a few attempts), saying why it is not ready meanwhile.
 */
class CompactedTopicFollowerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ExecutorServiceManager THREADS = new DefaultCamelContext().getExecutorServiceManager();

    @TempDir
    static Path work;

    static LocalKafkaBroker broker;
    static KafkaTopics kafka;

    record Read(String key, String value, int partition, long offset, long timestamp) {
    }

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
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
    void readsEveryRecordFromTheBeginningAndIsCaughtUpOnceItReachedTheEndItFoundThenKeepsReading() {
        broker.createTopics(2, "follow.existing");
        for (int i = 0; i < 50; i++) {
            kafka.send("follow.existing", "key-" + i, ("value-" + i).getBytes(StandardCharsets.UTF_8), Map.of());
        }
        kafka.send("follow.existing", "key-7", null, Map.of());
        List<Read> reads = new CopyOnWriteArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        CompactedTopicFollower follower = follower("follow.existing", reads, polls);
        try {
            follower.start(THREADS);
            follower.start(THREADS); // a second start (Camel starts services more than once) reads nothing twice

            follower.awaitCaughtUp();

            assertThat(reads).hasSize(51);
            assertThat(reads).filteredOn(read -> read.key().equals("key-7")).extracting(Read::value)
                    .containsExactly("value-7", null);
            assertThat(reads).allSatisfy(read -> assertThat(read.timestamp()).isPositive());
            for (int partition = 0; partition < 2; partition++) {
                int p = partition;
                List<Long> offsets = reads.stream().filter(read -> read.partition() == p).map(Read::offset).toList();
                assertThat(offsets).isSorted().startsWith(0L);
            }
            assertThat(polls.get()).isPositive();

            kafka.send("follow.existing", "later", "value".getBytes(StandardCharsets.UTF_8), Map.of());
            await().atMost(WAIT).until(() -> reads.stream().anyMatch(read -> read.key().equals("later")));
        } finally {
            assertThat(follower.stop()).isTrue();
        }
        assertThat(follower.stop()).as("stopped already").isFalse();
    }

    @Test
    void aPointSetByTheOwnerIsWhatLookupsWaitFor() {
        broker.createTopics(1, "follow.marked");
        List<Read> reads = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = follower("follow.marked", reads, new AtomicInteger());
        follower.catchUpTo(Map.of(0, 3L));
        try {
            follower.start(THREADS);
            assertThat(follower.caughtUp()).isFalse();

            for (int i = 0; i < 3; i++) {
                kafka.send("follow.marked", "key-" + i, "value".getBytes(StandardCharsets.UTF_8), Map.of());
            }

            follower.awaitCaughtUp();
            assertThat(reads).hasSize(3);
        } finally {
            follower.stop();
        }
    }

    @Test
    void waitsForATopicThatDoesNotExistYet() {
        List<Read> reads = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = follower("follow.later", reads, new AtomicInteger());
        try {
            follower.start(THREADS);
            assertThat(follower.caughtUp()).isFalse();

            broker.createTopics(1, "follow.later");
            kafka.send("follow.later", "key", "value".getBytes(StandardCharsets.UTF_8), Map.of());

            await().atMost(WAIT).until(follower::caughtUp);
            await().atMost(WAIT).until(() -> reads.size() == 1);
        } finally {
            follower.stop();
        }
    }

    @Test
    void poisonRecordsAreSkippedAndCountedAndReadingGoesOnWithTheNextRecord() {
        broker.createTopics(1, "follow.poison");
        send("follow.poison", "good-1", "value");
        send("follow.poison", "bad-1", "poison");
        send("follow.poison", "good-2", "value");
        List<Read> reads = new CopyOnWriteArrayList<>();
        List<String> skipped = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = new CompactedTopicFollower(settings(), "follow.poison", "test topic",
                LoggerFactory.getLogger(CompactedTopicFollowerIT.class), (key, value, partition, offset, timestamp) -> {
                    if (new String(value, StandardCharsets.UTF_8).equals("poison")) {
                        throw new PoisonRecordException("value: not what the owner reads");
                    }
                    reads.add(new Read(key, "value", partition, offset, timestamp));
                }, () -> { }, fast(skipped::add));
        try {
            follower.start(THREADS);
            follower.awaitCaughtUp();
            assertThat(reads).extracting(Read::key).containsExactly("good-1", "good-2");
            assertThat(skipped).containsExactly("follow.poison");

            send("follow.poison", "bad-2", "poison");
            send("follow.poison", "good-3", "value");
            await().atMost(WAIT).until(() -> reads.size() == 3);
            assertThat(skipped).hasSize(2);
            assertThat(follower.problem()).isNull();
        } finally {
            follower.stop();
        }
    }

    @Test
    void aHandlerThatThrowsIsStartedAgainWhereItStoppedAndSaysWhyMeanwhile() {
        broker.createTopics(1, "follow.failing");
        for (int i = 0; i < 5; i++) {
            send("follow.failing", "key-" + i, "value");
        }
        List<Read> reads = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        List<String> problems = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = new CompactedTopicFollower(settings(), "follow.failing", "test topic",
                LoggerFactory.getLogger(CompactedTopicFollowerIT.class), (key, value, partition, offset, timestamp) -> {
                    if (key.equals("key-3") && failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("the owner's state is broken for now");
                    }
                    reads.add(new Read(key, "value", partition, offset, timestamp));
                }, () -> { }, fast(topic -> { }));
        BackgroundHealthCheck readiness = new BackgroundHealthCheck("test-topic", follower::problem);
        readiness.setCamelContext(new DefaultCamelContext());
        List<HealthCheck.State> states = new CopyOnWriteArrayList<>();
        try {
            follower.start(THREADS);
            // What readiness reports while the follower waits to start again.
            await().atMost(WAIT).until(() -> {
                HealthCheck.Result result = readiness.call();
                String problem = result.getMessage().orElse("");
                if (problem.contains("failed")) {
                    problems.add(problem);
                    states.add(result.getState());
                }
                return !problems.isEmpty();
            });
            assertThat(states).containsOnly(HealthCheck.State.DOWN);
            assertThat(problems.get(0)).contains("follow.failing", "IllegalStateException")
                    .doesNotContain("the owner's state is broken");

            await().atMost(WAIT).until(() -> reads.size() == 5 && follower.problem() == null);
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.UP);
            // Started again where it stopped: every record handled once, none read twice.
            assertThat(reads).extracting(Read::key).containsExactly("key-0", "key-1", "key-2", "key-3", "key-4");
            assertThat(failuresLeft.get()).isNegative();
        } finally {
            follower.stop();
        }
    }

    @Test
    void aRecordWhoseHandlingKeepsFailingIsSkippedAsPoisonAfterThreeAttempts() {
        broker.createTopics(1, "follow.stuck");
        send("follow.stuck", "before", "value");
        send("follow.stuck", "stuck", "value");
        send("follow.stuck", "after", "value");
        List<Read> reads = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        List<String> skipped = new CopyOnWriteArrayList<>();
        CompactedTopicFollower follower = new CompactedTopicFollower(settings(), "follow.stuck", "test topic",
                LoggerFactory.getLogger(CompactedTopicFollowerIT.class), (key, value, partition, offset, timestamp) -> {
                    if (key.equals("stuck")) {
                        attempts.incrementAndGet();
                        throw new ArithmeticException("long overflow");
                    }
                    reads.add(new Read(key, "value", partition, offset, timestamp));
                }, () -> { }, fast(skipped::add));
        try {
            follower.start(THREADS);
            follower.awaitCaughtUp();
            await().atMost(WAIT).until(() -> follower.problem() == null);
            assertThat(reads).extracting(Read::key).containsExactly("before", "after");
            assertThat(attempts.get()).isEqualTo(CompactedTopicFollower.ATTEMPTS_PER_RECORD);
            assertThat(skipped).containsExactly("follow.stuck");
        } finally {
            follower.stop();
        }
    }

    private static void send(String topic, String key, String value) {
        kafka.send(topic, key, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static KafkaClients settings() {
        return new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static FollowerSettings fast(PoisonRecords poisonRecords) {
        return new FollowerSettings(Duration.ofSeconds(30),
                new RestartBackoff(Duration.ofMillis(100), Duration.ofMillis(400)), poisonRecords);
    }

    private static CompactedTopicFollower follower(String topic, List<Read> reads, AtomicInteger polls) {
        return new CompactedTopicFollower(settings(), topic, "test topic",
                LoggerFactory.getLogger(CompactedTopicFollowerIT.class),
                (key, value, partition, offset, timestamp) -> reads.add(new Read(key, value == null ? null
                        : new String(value, StandardCharsets.UTF_8), partition, offset, timestamp)),
                polls::incrementAndGet);
    }
}
