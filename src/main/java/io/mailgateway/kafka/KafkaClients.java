package io.mailgateway.kafka;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates the Kafka clients the gateway uses besides Camel's own, each from the same connection settings (brokers,
 * security) with the settings its use needs, so that every client reaches the brokers the same way.
 */
public final class KafkaClients {

    // What a batched follower's fetch waits for: this many bytes, or this long.
    static final int BATCHED_FETCH_BYTES = 64 * 1024;
    static final int BATCHED_FETCH_WAIT_MS = 100;

    // Holds credentials: never logged, and no toString of its own that could print them.
    private final Map<String, Object> connection;

    /** @param connection how to reach the brokers: bootstrap servers and the security settings */
    public KafkaClients(Map<String, Object> connection) {
        this.connection = Map.copyOf(connection);
    }

    /** Reads a topic by assigned partitions, from its beginning when no position is known; commits nothing. */
    public KafkaConsumer<String, byte[]> topicFollower() {
        return new KafkaConsumer<>(settings(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // Where a restart goes on may have been deleted meanwhile (retention): the oldest record left is next.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Like {@link #topicFollower()}, for a topic this instance writes most of and passes over its own records in:
     * the broker answers a fetch once {@value #BATCHED_FETCH_BYTES} bytes arrived or {@value #BATCHED_FETCH_WAIT_MS}
     * ms passed, instead of once per record written, which cost the gateway and the broker more than the records.
     */
    public KafkaConsumer<String, byte[]> batchedTopicFollower() {
        return new KafkaConsumer<>(batchedTopicFollowerSettings(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    Properties batchedTopicFollowerSettings() {
        return settings(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(BATCHED_FETCH_BYTES),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(BATCHED_FETCH_WAIT_MS)));
    }

    /** Reads single records at known locations, and where topics end; commits nothing. */
    public KafkaConsumer<String, byte[]> recordReader() {
        return new KafkaConsumer<>(settings(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads text records (delivery results) by assigned partitions; commits nothing. */
    public KafkaConsumer<String, String> textReader() {
        return new KafkaConsumer<>(settings(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new StringDeserializer(), new StringDeserializer());
    }

    /**
     * A member of {@code groupId} that commits only what the caller commits, starts a new group at the beginning of
     * the topic, and takes at most {@code maxPollRecords} records per poll.
     */
    public KafkaConsumer<String, byte[]> groupMember(String groupId, int maxPollRecords) {
        return new KafkaConsumer<>(settings(Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords))),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Writes records of the gateway's state (completed requests, suppressions): acknowledged by every in-sync
     * replica, written once however often they are retried, and failing within 15 s while the topic is missing or
     * the brokers are unreachable, so that the record that caused the write is read again instead of hanging.
     */
    public KafkaProducer<String, byte[]> stateWriter() {
        return new KafkaProducer<>(settings(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000")),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Writes the outcomes of attempts (retry, result and state records), shared by every send thread so that records
     * of many outcomes travel in one batch: acknowledged by every in-sync replica, written once however often they
     * are retried, failing within {@code maxBlockMs} while a topic is missing or the brokers are unreachable.
     *
     * @param lingerMs       how long a record may wait for others to join its batch
     * @param maxRecordBytes the largest record written (a retry carries its whole request)
     */
    public KafkaProducer<String, byte[]> outcomeWriter(long lingerMs, long maxBlockMs, int maxRecordBytes) {
        return new KafkaProducer<>(outcomeWriterSettings(lingerMs, maxBlockMs, maxRecordBytes), new StringSerializer(),
                new ByteArraySerializer());
    }

    Properties outcomeWriterSettings(long lingerMs, long maxBlockMs, int maxRecordBytes) {
        return settings(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(maxBlockMs),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRecordBytes)));
    }

    /** Writes records acknowledged by every in-sync replica, waiting as long as Kafka's defaults allow. */
    public KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(settings(Map.of(ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(),
                new ByteArraySerializer());
    }

    /** Describes topics, rights and consumer groups. */
    public Admin admin() {
        return Admin.create(settings(Map.of()));
    }

    // The connection settings, then those of the use: a use's setting wins over a connection setting of the same name.
    Properties settings(Map<String, Object> use) {
        Properties settings = new Properties();
        settings.putAll(connection);
        // Client telemetry (KIP-714) costs CPU on every record even when no broker subscribes to it.
        settings.put(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        settings.putAll(use);
        return settings;
    }
}
