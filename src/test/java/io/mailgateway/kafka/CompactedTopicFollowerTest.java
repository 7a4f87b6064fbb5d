package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the follower decides without a broker: key hashes, record locations, and when it counts as caught up. */
class CompactedTopicFollowerTest {

    @Test
    void hashIsTheFirstSixtyFourBitsOfTheKeysSha256() throws Exception {
        for (String key : List.of("ord-1042-confirmation", "alice@example.org", "", "ünïcødé@bücher.example")) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            assertThat(CompactedTopicFollower.hash(key)).as(key).isEqualTo(ByteBuffer.wrap(digest).getLong());
        }
    }

    @Test
    void hashIsTheSameWhicheverThreadComputesItAndHowOften() throws Exception {
        List<String> keys = IntStream.range(0, 2_000).mapToObj(i -> "request-" + i).toList();
        List<Long> expected = keys.stream().map(CompactedTopicFollower::hash).toList();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Long>>> results = IntStream.range(0, 8)
                    .mapToObj(t -> threads.submit(() -> keys.stream().map(CompactedTopicFollower::hash).toList()))
                    .toList();
            for (Future<List<Long>> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void locationKeepsPartitionAndOffsetAndOrdersByOffsetWithinAPartition() {
        long location = CompactedTopicFollower.location(41, 123_456_789_012L);
        assertThat(CompactedTopicFollower.partition(location)).isEqualTo(41);
        assertThat(CompactedTopicFollower.offset(location)).isEqualTo(123_456_789_012L);
        assertThat(CompactedTopicFollower.location(3, 10)).isGreaterThan(CompactedTopicFollower.location(3, 9));
        assertThat(CompactedTopicFollower.partition(CompactedTopicFollower.location(0, 0))).isZero();
    }

    @Test
    void notCaughtUpBeforeItKnowsWhereToCatchUpTo() {
        CompactedTopicFollower follower = unstarted();
        assertThat(follower.caughtUp()).isFalse();

        follower.catchUpTo(Map.of());
        assertThat(follower.caughtUp()).isTrue();

        follower.catchUpTo(Map.of(0, 1L));
        assertThat(follower.caughtUp()).isFalse();

        follower.catchUpTo(Map.of(0, 0L, 1, 0L));
        assertThat(follower.caughtUp()).as("empty partitions are read up to their end").isTrue();
    }

    @Test
    void aFollowerThatDoesNotRunSaysSoNamingItsTopic() {
        CompactedTopicFollower follower = unstarted();
        follower.catchUpTo(Map.of());
        assertThat(follower.problem()).isEqualTo("not following mail.state (test topic)");
    }

    @Test
    void stoppingAFollowerThatNeverStartedDoesNothing() {
        assertThat(unstarted().stop()).isFalse();
    }

    private static CompactedTopicFollower unstarted() {
        // Never connects: it is not started.
        return new CompactedTopicFollower(
                new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9")),
                "mail.state", "test topic", LoggerFactory.getLogger(CompactedTopicFollowerTest.class),
                (key, value, partition, offset, timestamp) -> { }, () -> { });
    }
}
