package io.mailgateway.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads single records of one topic at their {@link CompactedTopicFollower#location locations}, one at a time. */
public final class RecordReader implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final String subject;
    private final KafkaConsumer<String, byte[]> consumer;

    /** @param subject what the topic holds, as errors say it ("completed result") */
    public RecordReader(KafkaClients clients, String topic, String subject) {
        this.topic = topic;
        this.subject = subject;
        this.consumer = clients.recordReader();
    }

    /**
     * The record at this location, or null when it is gone (compaction keeps only a key's latest record).
     *
     * @throws StateNotReadyException when the broker does not answer in time
     */
    public synchronized ConsumerRecord<String, byte[]> at(long location) {
        TopicPartition partition = new TopicPartition(topic, CompactedTopicFollower.partition(location));
        long offset = CompactedTopicFollower.offset(location);
        consumer.assign(List.of(partition));
        consumer.seek(partition, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() == offset) {
                    return record;
                }
                if (record.offset() > offset) {
                    return null;
                }
            }
        }
        throw new StateNotReadyException("cannot read the " + subject + " at " + partition + "@" + offset);
    }

    /** Where the topic ends now (partition -> offset). */
    public synchronized Map<Integer, Long> endOffsets() {
        return CompactedTopicFollower.endOffsets(consumer, topic);
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
