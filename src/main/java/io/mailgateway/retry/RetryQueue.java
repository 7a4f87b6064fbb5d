package io.mailgateway.retry;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the retry topic and hands out the deferred requests that are due, oldest first per partition. A record is
 * committed only after its new outcome was published, so a crash repeats an attempt instead of losing it.
 * Used from one thread only (the route's timer), as the Kafka consumer requires.
 */
public final class RetryQueue implements AutoCloseable, org.apache.camel.Service {

    private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Clock clock;
    private boolean subscribed;
    private volatile long backlog;

    /** A due retry and the handle that commits it. */
    public record Due(RetryRecord record, String receivedAt, byte[] request, KafkaManualCommit commit) {
    }

    public RetryQueue(Map<String, Object> kafkaProperties, String topic, String groupId, Clock clock) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.clock = clock;
    }

    /**
     * The records that are due now. Each call starts again from the committed position, so a record whose
     * attempt failed before it was committed comes back; the first record of a partition that is not due yet
     * holds back the rest of that partition (they were deferred later, so they are due later).
     */
    public List<Due> due() {
        if (!subscribed) {
            consumer.subscribe(List.of(topic));
            subscribed = true;
        }
        rewindToCommitted();
        Instant now = clock.instant();
        Map<TopicPartition, Boolean> blocked = new HashMap<>();
        List<Due> due = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (blocked.getOrDefault(partition, false)) {
                continue;
            }
            RetryRecord retry = parse(record);
            if (retry != null && Instant.parse(retry.notBefore()).isAfter(now)) {
                blocked.put(partition, true);
                continue;
            }
            KafkaManualCommit commit = () -> consumer.commitSync(
                    Map.of(partition, new OffsetAndMetadata(record.offset() + 1)), Duration.ofSeconds(30));
            if (retry == null) {
                // Only the gateway writes this topic; an unreadable record cannot be retried, so it is skipped.
                LOG.error("Skipping unreadable record at {}-{} offset {} of the retry topic", record.topic(),
                        record.partition(), record.offset());
                commit.commit();
                continue;
            }
            due.add(new Due(retry, retry.state().receivedAt(), bytes(retry), commit));
        }
        return due;
    }

    private void rewindToCommitted() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(30));
        long waiting = 0;
        for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(assigned, Duration.ofSeconds(30)).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            waiting += end.getValue() - (done == null ? 0 : done.offset());
        }
        backlog = waiting;
        Collection<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, offset);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
    }

    /** Deferred requests in this instance's partitions of the retry topic, as of the last check. */
    public long backlog() {
        return backlog;
    }

    private static RetryRecord parse(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readValue(record.value(), RetryRecord.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] bytes(RetryRecord retry) {
        try {
            return JSON.writeValueAsBytes(retry.request());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serialises a retry for the retry topic. */
    public byte[] toJson(RetryRecord retry) {
        try {
            return JSON.writeValueAsBytes(retry);
        } catch (IOException e) {
            throw new IllegalStateException("a retry must always serialise", e);
        }
    }

    @Override
    public void start() {
        // The consumer joins its group on the first call of due().
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(10));
    }
}
