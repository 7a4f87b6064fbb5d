package io.mailgateway.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records are taken one by one while the consumer polls on, finish in any order, and each partition is committed
 * after a poll up to its first record that is not finished; an unfinished record sends its partition back to it and
 * pauses it, on the consumer, without leaving the group; copies fetched before the rewind are not taken, and a
 * partition that moves first waits for its records in flight. Commits do not wait for the broker: this consumer
 * fails a test whose polling thread waits for one.
 */
class PartitionProgressTest {

    private static final TopicPartition P0 = new TopicPartition("mail.outbound", 0);
    private static final TopicPartition P1 = new TopicPartition("mail.outbound", 1);
    private static final TopicPartition ACME_P0 = new TopicPartition("mail.outbound.acme", 0);

    private final CamelContext context = new DefaultCamelContext();
    /** Each commit as partition@offset of the last finished record. */
    private final List<String> commits = new CopyOnWriteArrayList<>();
    private volatile boolean commitsFail;
    private final MockConsumer<Object, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                OffsetCommitCallback callback) {
            if (commitsFail) {
                throw new KafkaException("the consumer cannot send commits");
            }
            offsets.forEach((partition, offset) -> commits.add((partition.topic().equals(P0.topic()) ? ""
                    : partition.topic() + "-") + partition.partition() + "@" + (offset.offset() - 1)));
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            throw new AssertionError("the polling thread waited for a commit");
        }
    };
    private final List<String> metrics = new CopyOnWriteArrayList<>();
    private final PartitionRewinds rewinds = new PartitionRewinds(Duration.ofMillis(200), Duration.ofMillis(800),
            () -> metrics.add("rewind"));
    private final KafkaManualCommitFactory handles = rewinds.commitFactory();
    private final PartitionProgress progress = new PartitionProgress(rewinds, 4, 1 << 20,
            Duration.ofSeconds(5));

    @BeforeEach
    void assignPartitions() {
        context.start();
        consumer.assign(List.of(P0, P1, ACME_P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, ACME_P0, 0L));
        progress.afterConsume(consumer);
    }

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void finishedRecordsAreCommittedAfterTheNextPollWithoutWaitingForTheBroker() throws Exception {
        Exchange first = take(progress, P0, 0);
        Exchange second = take(progress, P0, 1);
        Exchange other = take(progress, P1, 7);
        finish(second);
        finish(first);
        finish(other);
        assertThat(commits).as("committed on the polling thread, after a poll").isEmpty();

        progress.afterConsume(consumer);

        assertThat(commits).containsExactlyInAnyOrder("0@1", "1@7");
        assertThat(consumer.committed(Set.of(P0, P1))).containsEntry(P0, new OffsetAndMetadata(2))
                .containsEntry(P1, new OffsetAndMetadata(8));
        assertThat(consumer.paused()).isEmpty();
        assertThat(progress.inFlight()).isZero();
    }

    @Test
    void aPartitionIsCommittedOnlyUpToItsFirstRecordStillInFlight() throws Exception {
        Exchange first = take(progress, P0, 0);
        Exchange second = take(progress, P0, 1);
        Exchange third = take(progress, P0, 2);
        finish(first);
        finish(third);

        progress.afterConsume(consumer);
        assertThat(commits).containsExactly("0@0");

        finish(second);
        progress.afterConsume(consumer);
        assertThat(commits).containsExactly("0@0", "0@2");
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void anUnfinishedRecordIsCommittedUpToThenItsPartitionIsSoughtBackAndPaused() throws Exception {
        finish(take(progress, P0, 0));
        Exchange failed = take(progress, P0, 1);
        finish(take(progress, P0, 2));
        finish(take(progress, P1, 5));
        leaveUnfinished(failed);
        finish(take(progress, P1, 6));

        progress.afterConsume(consumer);

        // p0-2 finished, but committing it would skip p0-1.
        assertThat(commits).containsExactlyInAnyOrder("0@0", "1@6");
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(consumer.paused()).containsExactly(P0);
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1, ACME_P0);
        assertThat(rewinds.rewinds()).isEqualTo(1);
        assertThat(metrics).containsExactly("rewind");
    }

    @Test
    void partitionsOfDifferentRequestTopicsAreCommittedAndSentBackEachOnItsOwn() throws Exception {
        // Partition 0 of the shared topic and of a tenant's topic, interleaved as one poll may bring them.
        finish(take(progress, ACME_P0, 3));
        finish(take(progress, P0, 0));
        leaveUnfinished(take(progress, ACME_P0, 4));
        finish(take(progress, P0, 1));

        progress.afterConsume(consumer);

        assertThat(commits).containsExactlyInAnyOrder("mail.outbound.acme-0@3", "0@1");
        assertThat(consumer.position(ACME_P0)).isEqualTo(4);
        assertThat(consumer.paused()).containsExactly(ACME_P0);
    }

    @Test
    void recordsFetchedBeforeTheRewindAreNotTakenAndThePartitionResumesAfterItsPause() throws Exception {
        finish(take(progress, P0, 0));
        leaveUnfinished(take(progress, P0, 1));
        // camel-kafka turns a poll's records into exchanges after the listener ran for that poll
        Exchange fetchedBefore = record(P0, 2);
        progress.afterConsume(consumer);
        Exchange fetchedInTheSamePoll = record(P0, 3);
        commits.clear();

        assertThatThrownBy(() -> take(progress, fetchedBefore)).hasMessageContaining("read again");
        assertThatThrownBy(() -> take(progress, fetchedInTheSamePoll)).hasMessageContaining("read again");
        progress.afterConsume(consumer);

        assertThat(commits).as("nothing committed past the record read again").isEmpty();
        assertThat(rewinds.rewinds()).as("not sent back a second time").isEqualTo(1);
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(consumer.paused()).as("paused until the pause is over").containsExactly(P0);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            progress.afterConsume(consumer);
            return consumer.paused().isEmpty();
        });

        // read again after the rewind: taken and committed
        finish(take(progress, P0, 1));
        finish(take(progress, P0, 2));
        finish(take(progress, P0, 3));
        progress.afterConsume(consumer);
        assertThat(commits).containsExactly("0@3");
    }

    @Test
    void recordsBehindAnUnfinishedOneAreNotTakenAndItsPartitionFetchesNoMoreUntilItIsSentBack() throws Exception {
        Exchange running = take(progress, P0, 0);
        leaveUnfinished(take(progress, P0, 1));

        progress.afterConsume(consumer);
        assertThat(consumer.paused()).as("no more fetched while the record before it runs").containsExactly(P0);
        assertThat(rewinds.rewinds()).as("not yet sent back: a record before it is in flight").isZero();
        assertThatThrownBy(() -> take(progress, P0, 2)).hasMessageContaining("earlier record");

        finish(running);
        progress.afterConsume(consumer);
        assertThat(commits).containsExactly("0@0");
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(rewinds.rewinds()).isEqualTo(1);
    }

    @Test
    void thePollingThreadWaitsForATurnWhileMostRecordsAreInFlight() throws Exception {
        PartitionProgress twoAtOnce = new PartitionProgress(rewinds, 2, 1 << 20, Duration.ofSeconds(30));
        Exchange first = take(twoAtOnce, P0, 0);
        take(twoAtOnce, P0, 1);
        Exchange third = record(P0, 2);

        CompletableFuture<Exchange> taken = takeLater(twoAtOnce, third);
        assertThat(taken).as("two records are in flight").isNotDone();
        assertThat(twoAtOnce.inFlight()).isEqualTo(2);

        finish(twoAtOnce, first);
        await().atMost(Duration.ofSeconds(5)).until(taken::isDone);
        assertThat(taken).isCompleted();
        assertThat(twoAtOnce.inFlight()).isEqualTo(2);
    }

    @Test
    void recordsWaitWhileTheirBytesInFlightWouldPassTheBoundAndALargerRecordGoesAlone() throws Exception {
        PartitionProgress hundredBytes = new PartitionProgress(rewinds, 10, 100, Duration.ofSeconds(30));
        Exchange first = take(hundredBytes, record(P0, 0, 60));

        CompletableFuture<Exchange> second = takeLater(hundredBytes, record(P0, 1, 50));
        assertThat(second).as("60 + 50 bytes would be in flight").isNotDone();
        finish(hundredBytes, first);
        await().atMost(Duration.ofSeconds(5)).until(second::isDone);

        CompletableFuture<Exchange> large = takeLater(hundredBytes, record(P0, 2, 500));
        assertThat(large).as("a record over the bound waits until nothing else is in flight").isNotDone();
        finish(hundredBytes, second.get());
        await().atMost(Duration.ofSeconds(5)).until(large::isDone);
        assertThat(hundredBytes.inFlight()).isEqualTo(1);
    }

    @Test
    void aRecordThatFindsNoTurnInTimeSendsItsPartitionBackToIt() throws Exception {
        PartitionProgress oneAtOnce = new PartitionProgress(rewinds, 1, 1 << 20, Duration.ofMillis(50));
        Exchange running = take(oneAtOnce, P0, 0);

        assertThatThrownBy(() -> take(oneAtOnce, P0, 1)).hasMessageContaining("no send thread became free");

        finish(oneAtOnce, running);
        oneAtOnce.afterConsume(consumer);
        assertThat(commits).containsExactly("0@0");
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(consumer.paused()).containsExactly(P0);
    }

    @Test
    void aStoppingGatewayTakesNoRecordAndCommitsNothingPastIt() throws Exception {
        finish(take(progress, P0, 0));
        Exchange left = record(P0, 1);
        context.stop();

        assertThatThrownBy(() -> take(progress, left)).hasMessageContaining("stopping");

        progress.afterConsume(consumer);
        assertThat(commits).containsExactly("0@0");
        assertThat(consumer.position(P0)).isEqualTo(1);
    }

    @Test
    void aPartitionThatMovesWaitsForItsRecordsInFlightThenIsCommitted() throws Exception {
        finish(take(progress, P0, 0));
        Exchange running = take(progress, P0, 1);
        finish(take(progress, P1, 4));

        CompletableFuture<Void> revoked = CompletableFuture.runAsync(() -> {
            try {
                progress.revoked(consumer, List.of(P0));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(revoked).as("a record of the partition is in flight").isNotDone();
        assertThat(commits).isEmpty();

        finish(running);
        await().atMost(Duration.ofSeconds(5)).until(revoked::isDone);
        assertThat(revoked).isCompleted();
        assertThat(commits).as("only the partition that moves").containsExactly("0@1");

        progress.afterConsume(consumer);
        assertThat(commits).as("the moved partition is forgotten").containsExactly("0@1", "1@4");
    }

    @Test
    void aCommitTheConsumerCannotSendReadsTheFinishedRecordsAgain() throws Exception {
        finish(take(progress, P0, 3));
        finish(take(progress, P0, 4));
        commitsFail = true;

        progress.afterConsume(consumer);

        assertThat(consumer.position(P0)).isEqualTo(3);
        assertThat(consumer.paused()).containsExactly(P0);
    }

    @Test
    void aRecordClosedTwiceCountsOnce() throws Exception {
        Exchange record = take(progress, P0, 0);
        Exchange other = take(progress, P0, 1);
        finish(record);
        progress.close(record);

        assertThat(progress.inFlight()).isEqualTo(1);
        finish(other);
        assertThat(progress.inFlight()).isZero();
    }

    private Exchange take(PartitionProgress progress, TopicPartition partition, long offset) throws Exception {
        return take(progress, record(partition, offset));
    }

    /** What the route does on the polling thread with each record camel-kafka hands over. */
    private Exchange take(PartitionProgress progress, Exchange record) throws Exception {
        progress.take(record);
        return record;
    }

    /** Takes the record on another thread, as the polling thread would, which may wait for a turn. */
    private CompletableFuture<Exchange> takeLater(PartitionProgress progress, Exchange record) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return take(progress, record);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void finish(Exchange taken) {
        finish(progress, taken);
    }

    /** The record's result was acknowledged (the route commits its handle), then its exchange is done. */
    private static void finish(PartitionProgress progress, Exchange taken) {
        taken.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class).commit();
        progress.close(taken);
    }

    /** The record's exchange is done without an acknowledged result. */
    private void leaveUnfinished(Exchange taken) {
        progress.close(taken);
    }

    /** A record as camel-kafka hands it over, with its commit handle made when it is turned into an exchange. */
    private Exchange record(TopicPartition partition, long offset) {
        return record(partition, offset, 100);
    }

    private Exchange record(TopicPartition partition, long offset, int bytes) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setBody(new byte[bytes]);
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
