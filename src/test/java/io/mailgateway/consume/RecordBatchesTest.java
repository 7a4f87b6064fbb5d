package io.mailgateway.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch with an unfinished record commits each partition up to that record, sends the partition back to it and
 * pauses it, on the consumer, without leaving the group; copies fetched before the rewind are neither handled nor
 * committed, and the partition resumes once its pause is over. Commits do not wait for the broker: this consumer
 * fails a test that waits for one.
 */
class RecordBatchesTest {

    private static final TopicPartition P0 = new TopicPartition("mail.outbound", 0);
    private static final TopicPartition P1 = new TopicPartition("mail.outbound", 1);
    private static final TopicPartition ACME_P0 = new TopicPartition("mail.outbound.acme", 0);

    private final CamelContext context = new DefaultCamelContext();
    /** Each commit as partition@offset of the last finished record. */
    private final List<String> commits = new ArrayList<>();
    private final MockConsumer<Object, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                OffsetCommitCallback callback) {
            offsets.forEach((partition, offset) -> commits.add((partition.topic().equals(P0.topic()) ? ""
                    : partition.topic() + "-") + partition.partition() + "@" + (offset.offset() - 1)));
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            throw new AssertionError("the polling thread waited for a commit");
        }
    };
    private final List<String> metrics = new ArrayList<>();
    private final PartitionRewinds rewinds = new PartitionRewinds(Duration.ofMillis(200), Duration.ofMillis(800),
            () -> metrics.add("rewind"));
    private final KafkaManualCommitFactory handles = rewinds.commitFactory();
    private final RecordBatches batches = new RecordBatches(rewinds);

    @BeforeEach
    void assignTwoPartitions() {
        consumer.assign(List.of(P0, P1, ACME_P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, ACME_P0, 0L));
    }

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void unfinishedRecordIsCommittedUpToThenItsPartitionIsSoughtBackAndPaused() {
        rewinds.afterConsume(consumer);
        List<Exchange> batch = List.of(finished(P0, 0), unfinished(P0, 1), finished(P0, 2), finished(P1, 5),
                finished(P1, 6));

        batches.commit(batch);

        // p0-2 finished, but committing it would skip p0-1.
        assertThat(commits).containsExactlyInAnyOrder("0@0", "1@6");
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(consumer.paused()).containsExactly(P0);
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1, ACME_P0);
        assertThat(rewinds.rewinds()).isEqualTo(1);
        assertThat(metrics).containsExactly("rewind");
    }

    @Test
    void finishedRecordsAreCommittedWithoutWaitingForTheBroker() {
        rewinds.afterConsume(consumer);

        batches.commit(List.of(finished(P0, 0), finished(P0, 1), finished(P1, 7)));

        assertThat(commits).containsExactlyInAnyOrder("0@1", "1@7");
        assertThat(consumer.committed(Set.of(P0, P1))).containsEntry(P0, new OffsetAndMetadata(2))
                .containsEntry(P1, new OffsetAndMetadata(8));
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void partitionsOfDifferentRequestTopicsAreCommittedAndSentBackEachOnItsOwn() {
        rewinds.afterConsume(consumer);
        // Partition 0 of the shared topic and of a tenant's topic, interleaved as one poll may bring them.
        List<Exchange> batch = List.of(finished(ACME_P0, 3), finished(P0, 0), unfinished(ACME_P0, 4),
                finished(P0, 1), finished(ACME_P0, 5));

        batches.commit(batch);

        assertThat(commits).containsExactlyInAnyOrder("mail.outbound.acme-0@3", "0@1");
        assertThat(consumer.position(ACME_P0)).isEqualTo(4);
        assertThat(consumer.paused()).containsExactly(ACME_P0);
    }

    @Test
    void recordsFetchedBeforeTheRewindAreLeftAloneAndThePartitionResumesAfterItsPause() {
        rewinds.afterConsume(consumer);
        Exchange stale = finished(P0, 2);
        // camel-kafka turns the next poll's records into exchanges only after the batch, in the same poll
        batches.commit(List.of(finished(P0, 0), unfinished(P0, 1)));
        Exchange fetchedMeanwhile = finished(P0, 3);
        commits.clear();

        batches.commit(List.of(stale, fetchedMeanwhile));

        assertThat(commits).as("nothing committed past the record read again").isEmpty();
        assertThat(rewinds.rewinds()).as("not sent back a second time").isEqualTo(1);
        assertThat(consumer.position(P0)).isEqualTo(1);

        rewinds.afterConsume(consumer);
        assertThat(consumer.paused()).as("paused until the pause is over").containsExactly(P0);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            rewinds.afterConsume(consumer);
            return consumer.paused().isEmpty();
        });

        // read again after the rewind: handled and committed
        batches.commit(List.of(finished(P0, 1), finished(P0, 2), finished(P0, 3)));
        assertThat(commits).containsExactly("0@3");
    }

    @Test
    void pauseDoublesWithEveryRewindInARowUpToItsBound() {
        assertThat(List.of(rewinds.pause(1), rewinds.pause(2), rewinds.pause(3), rewinds.pause(4))).containsExactly(
                Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(800));
    }

    @Test
    void partitionTheConsumerNoLongerOwnsIsNotSoughtAndTheBatchSaysSo() {
        rewinds.afterConsume(consumer);
        Exchange record = unfinished(P1, 4);
        consumer.assign(List.of(P0));

        assertThatThrownBy(() -> batches.commit(List.of(record)))
                .isInstanceOf(RecordBatches.UnfinishedRecordsException.class)
                .hasMessageContaining("partition 1 from offset 4");
        assertThat(consumer.paused()).isEmpty();
    }

    private Exchange finished(TopicPartition partition, long offset) {
        Exchange record = record(partition, offset);
        RecordBatches.Finished finished = new RecordBatches.Finished(
                record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        finished.commit();
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, finished);
        return record;
    }

    private Exchange unfinished(TopicPartition partition, long offset) {
        Exchange record = record(partition, offset);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new RecordBatches.Finished(
                record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class)));
        return record;
    }

    /** A record as camel-kafka hands it over, with its commit handle made when it is turned into an exchange. */
    private Exchange record(TopicPartition partition, long offset) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setHeader(KafkaConstants.TOPIC, partition.topic());
        record.getMessage().setHeader(KafkaConstants.PARTITION, partition.partition());
        record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, handles.newInstance(
                new KafkaManualCommitFactory.CamelExchangePayload(record, consumer, "test", null),
                // the handles commit through the consumer, not through camel-kafka's commit manager
                new KafkaManualCommitFactory.KafkaRecordPayload(partition, offset, 1000), null));
        return record;
    }
}
