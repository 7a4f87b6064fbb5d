package io.mailgateway.consume;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Subscribes the request consumer so that every assigned partition has a committed offset before its first
 * record is processed. When the Camel consumer is suspended and resumed (from JMX, for instance), camel-kafka
 * rewinds to the committed offset; without one, a record that failed before the group's first commit would be
 * skipped.
 */
public final class CommittedStartSubscribeAdapter implements SubscribeAdapter {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Runnable onAssigned;

    /** @param onAssigned runs on every assignment, before the new partitions' first record */
    public CommittedStartSubscribeAdapter(Runnable onAssigned) {
        this.onAssigned = onAssigned;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, TopicInfo topicInfo) {
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                camelListener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                camelListener.onPartitionsLost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                camelListener.onPartitionsAssigned(partitions);
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions), TIMEOUT);
                Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    if (committed.get(partition) == null) {
                        start.put(partition, new OffsetAndMetadata(consumer.position(partition, TIMEOUT)));
                    }
                }
                if (!start.isEmpty()) {
                    consumer.commitSync(start, TIMEOUT);
                }
                onAssigned.run();
            }
        };
        if (topicInfo.isPattern()) {
            consumer.subscribe(topicInfo.getPattern(), listener);
        } else {
            consumer.subscribe(topicInfo.getTopics(), listener);
        }
    }
}
