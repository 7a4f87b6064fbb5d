package io.mailgateway.consume;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;

import io.mailgateway.idempotency.StateNotReadyException;

/**
 * Reads a compacted Kafka topic from its beginning and keeps following it on a thread of its own, handing every
 * record to its owner, so that every instance of the gateway holds the same state; lookups wait until it has caught
 * up. Owners index what they read by {@link #hash 64-bit key hashes} and {@link #location record locations}.
 */
public final class CompactedTopicFollower {

    /** Receives every record read, on the follower's thread; a tombstone has a null value. */
    public interface RecordHandler {
        void accept(String key, byte[] value, int partition, long offset, long timestamp);
    }

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);

    // Computing a digest is cheap; looking its algorithm up is not, and lookups hash a key every time.
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    private final String topic;
    private final String subject;
    private final Logger log;
    private final RecordHandler onRecord;
    private final Runnable afterEachPoll;
    private final KafkaConsumer<String, byte[]> consumer;

    private final Map<Integer, Long> followed = new ConcurrentHashMap<>();
    // Null until a point to catch up to is set, or found where the topic ended when reading began.
    private volatile Map<Integer, Long> mustReach;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param subject       what the topic holds, as logs, errors and the thread's name say ("completed requests")
     * @param log           where to log that the topic is missing or that following it failed
     * @param afterEachPoll runs on the follower's thread after each poll's records, before waiting lookups are woken
     */
    public CompactedTopicFollower(Map<String, Object> kafkaProperties, String topic, String subject, Logger log,
            RecordHandler onRecord, Runnable afterEachPoll) {
        this.topic = topic;
        this.subject = subject;
        this.log = log;
        this.onRecord = onRecord;
        this.afterEachPoll = afterEachPoll;
        Properties consumerProps = new Properties();
        consumerProps.putAll(kafkaProperties);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Lookups wait from now on until each partition is read up to its offset here, not where the topic first ended. */
    public void catchUpTo(Map<Integer, Long> offsets) {
        mustReach = offsets;
    }

    /** Whether every partition has been read up to the catch-up point. */
    public boolean caughtUp() {
        Map<Integer, Long> target = mustReach;
        return target != null && target.entrySet().stream()
                .allMatch(end -> followed.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    /** Waits (at most 30 seconds) until {@link #caughtUp()}, else throws {@link StateNotReadyException}. */
    public void awaitCaughtUp() {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (!caughtUp()) {
            if (System.nanoTime() > deadline) {
                throw new StateNotReadyException(subject + " not yet read up to " + mustReach + " of " + topic);
            }
            synchronized (followed) {
                try {
                    followed.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StateNotReadyException("interrupted while reading " + subject);
                }
            }
        }
    }

    /** Where the topic ends now (partition -> offset), asked through the caller's consumer. */
    public static Map<Integer, Long> endOffsets(Consumer<?, ?> consumer, String topic) {
        return endOffsets(consumer, partitions(consumer, topic));
    }

    private static Map<Integer, Long> endOffsets(Consumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<Integer, Long> ends = new HashMap<>();
        consumer.endOffsets(partitions, CATCH_UP_TIMEOUT).forEach((tp, end) -> ends.put(tp.partition(), end));
        return ends;
    }

    private static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, CATCH_UP_TIMEOUT);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = List.of();
            boolean warned = false;
            while (running && partitions.isEmpty()) {
                partitions = partitions(consumer, topic);
                if (partitions.isEmpty()) {
                    if (!warned) {
                        log.warn("Topic {} of {} not found; requests wait until it exists", topic, subject);
                        warned = true;
                    }
                    synchronized (followed) {
                        followed.wait(1000);
                    }
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (mustReach == null) {
                mustReach = endOffsets(consumer, partitions);
            }
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    onRecord.accept(r.key(), r.value(), r.partition(), r.offset(), r.timestamp());
                }
                for (TopicPartition partition : partitions) {
                    followed.put(partition.partition(), consumer.position(partition));
                }
                afterEachPoll.run();
                synchronized (followed) {
                    followed.notifyAll();
                }
            }
        } catch (WakeupException | InterruptedException stopping) {
            // closing
        } catch (RuntimeException e) {
            log.error("Stopped following the {} in {}", subject, topic, e);
        }
    }

    /** Starts following; a second call does nothing (Camel may start a service both as a bean and as a service). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::follow, subject.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops following (waits up to 10 s for the thread, 5 s for the consumer); false if it was not following. */
    public boolean stop() {
        if (!running) {
            return false;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
        return true;
    }

    /** A record's partition and offset in one long, ordered by offset within a partition. */
    public static long location(int partition, long offset) {
        return ((long) partition << 48) | offset;
    }

    public static int partition(long location) {
        return (int) (location >>> 48);
    }

    public static long offset(long location) {
        return location & 0xFFFF_FFFF_FFFFL;
    }

    /** The first 64 bits of the key's SHA-256: collisions are negligible at millions of keys. */
    public static long hash(String key) {
        return ByteBuffer.wrap(SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8))).getLong();
    }
}
