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
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes the request consumer so that every assigned partition has a committed offset before its first
 * record is processed, and a partition that leaves has its commits through first. When the Camel consumer is
 * suspended and resumed (from JMX, for instance), camel-kafka rewinds to the committed offset; without one, a
 * record that failed before the group's first commit would be skipped. Before partitions go to another consumer,
 * their records in flight finish and are committed ({@link PartitionProgress#revoked}), and the consumer waits for
 * its commits still on their way (it commits without waiting, {@link PartitionRewinds}), so the new owner starts
 * after the records this one finished.
 */
public final class CommittedStartSubscribeAdapter implements SubscribeAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(CommittedStartSubscribeAdapter.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PartitionProgress progress;
    private final Runnable onAssigned;

    /** @param onAssigned runs on every assignment, before the new partitions' first record */
    public CommittedStartSubscribeAdapter(PartitionProgress progress, Runnable onAssigned) {
        this.progress = progress;
        this.onAssigned = onAssigned;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, TopicInfo topicInfo) {
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                try {
                    progress.revoked(consumer, partitions);
                    // An empty commit waits for the consumer's commits still on their way.
                    consumer.commitSync(Map.of(), TIMEOUT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(e);
                } catch (WakeupException | InterruptException stopping) {
                    throw stopping;
                } catch (RuntimeException e) {
                    // The new owner reads the last finished records again and answers them with their results.
                    LOG.warn("Commits of partitions {} may not have reached Kafka before they moved: {}", partitions,
                            e.getMessage());
                }
                camelListener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                progress.lost(consumer, partitions);
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
