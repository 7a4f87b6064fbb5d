package io.mailgateway.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request consumer's subscription: an assigned partition starts with a committed offset, and a partition that
 * moves to another consumer waits for this one's commits still on their way before camel-kafka lets it go.
 */
class CommittedStartSubscribeAdapterTest {

    private static final TopicPartition P0 = new TopicPartition("mail.outbound", 0);
    private static final TopicPartition P1 = new TopicPartition("mail.outbound", 1);

    private final List<String> calls = new ArrayList<>();
    private final PartitionProgress progress = new PartitionProgress(
            new PartitionRewinds(Duration.ofMillis(200), Duration.ofMillis(800), () -> { }), 4, 1 << 20,
            Duration.ofSeconds(5));
    private final MockConsumer<Object, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            calls.add(offsets.isEmpty() ? "waited for the commits on their way" : "committed " + offsets);
            super.commitSync(offsets);
        }
    };
    private final ConsumerRebalanceListener camelListener = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            calls.add("camel-kafka let go of " + partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            calls.add("camel-kafka took " + partitions);
        }
    };

    @BeforeEach
    void subscribe() {
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        new CommittedStartSubscribeAdapter(progress, () -> calls.add("assigned"))
                .subscribe(consumer, camelListener, new TopicInfo(null, P0.topic()));
    }

    @Test
    void everyAssignedPartitionStartsWithACommittedOffset() {
        consumer.rebalance(List.of(P0, P1));

        assertThat(consumer.committed(Set.of(P0, P1))).containsEntry(P0, new OffsetAndMetadata(0))
                .containsEntry(P1, new OffsetAndMetadata(0));
        assertThat(calls).last().isEqualTo("assigned");
    }

    @Test
    void aPartitionThatMovesWaitsForTheCommitsOnTheirWayFirst() {
        consumer.rebalance(List.of(P0, P1));
        calls.clear();

        consumer.rebalance(List.of(P0));

        assertThat(calls).startsWith("waited for the commits on their way", "camel-kafka let go of [" + P1 + "]");
    }
}
