package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.background.RestartBackoff;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecords;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.MovableClock;

/**
 * A retry topic of several partitions: a partition whose retries were not due yet when the others were committed
 * (so nothing of it was ever committed) is read again, and its retries handed out, once they are due.
 */
class RetryQueuePartitionsIT {

    private static final String RETRY = "mail.retry";
    private static final String GROUP = "retry-partitions";

    @Test
    void aPartitionWithNothingCommittedYetHandsOutItsRetryOnceItIsDue(@TempDir Path work) throws Exception {
        Instant start = Instant.parse("2026-01-01T10:00:00Z");
        MovableClock clock = new MovableClock(start);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"))) {
            broker.createTopics(2, RETRY);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(retry(0, "due-now", start.minusSeconds(1))).get();
                producer.send(retry(1, "due-later", start.plus(Duration.ofMinutes(1)))).get();
            }
            RetryQueue queue = new RetryQueue(new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers())), RETRY, GROUP, clock, RestartBackoff.DEFAULT,
                    PoisonRecords.NOT_COUNTED);
            try {
                List<RetryQueue.Due> first = await().atMost(Duration.ofSeconds(30))
                        .until(queue::due, due -> !due.isEmpty());
                assertThat(ids(first)).containsExactly("due-now");
                first.forEach(retry -> retry.commit().commit());
                queue.commitFinished();

                // The timer's rounds go on; the other partition is still uncommitted when its retry becomes due.
                clock.advance(Duration.ofMinutes(2));
                List<RetryQueue.Due> later = await().atMost(Duration.ofSeconds(30))
                        .until(queue::due, due -> !due.isEmpty());
                assertThat(ids(later)).containsExactly("due-later");
            } finally {
                queue.close();
            }
        }
    }

    private static List<String> ids(List<RetryQueue.Due> retries) {
        return retries.stream().map(retry -> retry.record().id()).toList();
    }

    private static ProducerRecord<String, String> retry(int partition, String id, Instant notBefore) {
        return new ProducerRecord<>(RETRY, partition, id, """
                {"id": "%s", "request": {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"},
                 "state": {"attempts": 1, "receivedAt": "%s", "settled": [], "pending": null, "unknownOutcomeResent": false},
                 "notBefore": "%s"}""".formatted(id, id, id, notBefore.minusSeconds(1), notBefore));
    }
}
