package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.background.RestartBackoff;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecords;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.KafkaTopics;

/**
 * The retry queue hands out due retries in rounds whose retries may run in parallel: a round holds at most one retry
 * of a request (the second waits for the next round, once the first was committed), and a partition is committed
 * only up to its first retry that did not finish, so a later retry's commit never passes an earlier one's.
 */
class RetryRoundsIT {

    private static final String RETRY = "mail.retry";
    private static final String GROUP = "retry-rounds";

    @Test
    void aSecondRetryOfARequestComesInTheNextRoundAfterTheFirstWasCommitted(@TempDir Path work) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, RETRY);
            send(kafka, "a", 1);
            send(kafka, "a", 2);
            send(kafka, "b", 1);
            RetryQueue queue = queue(broker);
            try {
                List<RetryQueue.Due> first = nextRound(queue);
                assertThat(describe(first)).containsExactly("a#1");

                finish(first);
                queue.commitFinished();
                assertThat(queue.moreDue()).as("the round finished: the next may start at once").isTrue();

                List<RetryQueue.Due> second = nextRound(queue);
                assertThat(describe(second)).containsExactly("a#2", "b#1");
            } finally {
                queue.close();
            }
        }
    }

    @Test
    void aPartitionIsCommittedOnlyUpToItsFirstUnfinishedRetry(@TempDir Path work) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, RETRY);
            send(kafka, "x", 1);
            send(kafka, "y", 1);
            send(kafka, "z", 1);
            RetryQueue queue = queue(broker);
            try {
                List<RetryQueue.Due> round = nextRound(queue);
                assertThat(describe(round)).containsExactly("x#1", "y#1", "z#1");

                // The later two finish first; the earliest does not finish at all.
                finish(round.subList(1, 3));
                queue.commitFinished();
                assertThat(queue.moreDue()).as("a retry did not finish: wait for the timer").isFalse();
                assertThat(kafka.committedOffset(GROUP, RETRY, 0)).as("nothing committed").isEqualTo(-1);

                round = nextRound(queue);
                assertThat(describe(round)).containsExactly("x#1", "y#1", "z#1");
                finish(List.of(round.get(0), round.get(2)));
                queue.commitFinished();
                assertThat(kafka.committedOffset(GROUP, RETRY, 0)).isEqualTo(1);

                round = nextRound(queue);
                assertThat(describe(round)).containsExactly("y#1", "z#1");
                finish(round);
                queue.commitFinished();
                assertThat(kafka.committedOffset(GROUP, RETRY, 0)).isEqualTo(3);
                assertThat(queue.moreDue()).isTrue();
            } finally {
                queue.close();
            }
        }
    }

    private static RetryQueue queue(LocalKafkaBroker broker) {
        return new RetryQueue(new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers())), RETRY, GROUP, Clock.systemUTC(), RestartBackoff.DEFAULT,
                PoisonRecords.NOT_COUNTED);
    }

    /** The next round that hands out anything: the first ones may find the consumer still joining its group. */
    private static List<RetryQueue.Due> nextRound(RetryQueue queue) {
        return await().atMost(Duration.ofSeconds(30)).until(queue::due, due -> !due.isEmpty());
    }

    private static void finish(List<RetryQueue.Due> retries) {
        retries.forEach(retry -> retry.commit().commit());
    }

    private static List<String> describe(List<RetryQueue.Due> retries) {
        return retries.stream().map(retry -> retry.record().id() + "#" + retry.record().state().attempts()).toList();
    }

    private static void send(KafkaTopics kafka, String id, int attempts) {
        String past = Instant.now().minusSeconds(1).toString();
        kafka.send(RETRY, id, """
                {"id": "%s", "request": {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"},
                 "state": {"attempts": %d, "receivedAt": "%s", "settled": [], "pending": null, "unknownOutcomeResent": false},
                 "notBefore": "%s"}""".formatted(id, id, id, attempts, past, past));
    }
}
