package io.mailgateway.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;

import io.mailgateway.background.SupervisedThread;

/**
 * Reads a compacted Kafka topic from its beginning and keeps following it on a thread of its own, handing every
 * record to its owner, so that every instance of the gateway holds the same state; lookups wait until it has caught
 * up. Owners index what they read by {@link #hash 64-bit key hashes} and {@link #location record locations}.
 * Following survives any failure: it starts again, with a new Kafka consumer, where it stopped, after a backoff; a
 * record its owner cannot use is skipped and counted, and {@link #problem()} says why it is not ready meanwhile.
 */
public final class CompactedTopicFollower {

    /** Receives every record read, on the follower's thread; a tombstone has a null value. */
    public interface RecordHandler {
        /** @throws PoisonRecordException when the record cannot be used: it is skipped and counted */
        void accept(String key, byte[] value, int partition, long offset, long timestamp);
    }

    /**
     * The record header naming the instance that wrote a record: the instance that wrote it knows it already, so its
     * follower passes over it instead of reading it back.
     */
    public static final String WRITER_HEADER = "gateway.instance-id";

    // A record whose handling fails in other ways is tried again after a restart (the fault may be passing); this
    // many failures in a row make it a poison record, so that one record cannot hold the topic up for good.
    static final int ATTEMPTS_PER_RECORD = 3;

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
    private final KafkaClients clients;
    private final FollowerSettings settings;
    private final SupervisedThread thread;
    // This instance's id in the writer header of its own records, or null when every record is handed on.
    private final byte[] ownWriter;

    // Partition -> the offset of the next record to read: where a restart goes on.
    private final Map<Integer, Long> followed = new ConcurrentHashMap<>();
    // Null until a point to catch up to is set, or found where the topic ended when reading began.
    private volatile Map<Integer, Long> mustReach;
    // Where the topic ended when the follower first reached it: not ready before it has read that far.
    private volatile Map<Integer, Long> loadedTo;
    private volatile boolean waitingForTopic;
    // The consumer of the current attempt, for stop() to wake it; used only on the follower's thread otherwise.
    private volatile KafkaConsumer<String, byte[]> consumer;
    // The record whose handling failed last, and how often in a row (follower's thread only).
    private long failingRecord = -1;
    private int failingAttempts;

    /**
     * @param subject       what the topic holds, as logs, errors and the thread's name say ("completed requests")
     * @param log           where to log that the topic is missing or that following it failed
     * @param afterEachPoll runs on the follower's thread after each poll's records, before waiting lookups are woken
     */
    public CompactedTopicFollower(KafkaClients clients, String topic, String subject, Logger log,
            RecordHandler onRecord, Runnable afterEachPoll) {
        this(clients, topic, subject, log, onRecord, afterEachPoll, FollowerSettings.DEFAULT);
    }

    public CompactedTopicFollower(KafkaClients clients, String topic, String subject, Logger log,
            RecordHandler onRecord, Runnable afterEachPoll, FollowerSettings settings) {
        this(clients, topic, subject, log, onRecord, afterEachPoll, settings, null);
    }

    /**
     * @param ownWriter records whose {@link #WRITER_HEADER} holds this id are passed over: their writer, this
     *                  instance, recorded them when it wrote them (null: every record is handed on)
     */
    public CompactedTopicFollower(KafkaClients clients, String topic, String subject, Logger log,
            RecordHandler onRecord, Runnable afterEachPoll, FollowerSettings settings, String ownWriter) {
        this.ownWriter = ownWriter == null ? null : ownWriter.getBytes(StandardCharsets.UTF_8);
        this.clients = clients;
        this.topic = topic;
        this.subject = subject;
        this.log = log;
        this.onRecord = onRecord;
        this.afterEachPoll = afterEachPoll;
        this.settings = settings;
        this.thread = new SupervisedThread("follower of the " + subject, log, settings.restarts(), this::follow,
                () -> {
                    KafkaConsumer<String, byte[]> current = consumer;
                    if (current != null) {
                        current.wakeup();
                    }
                });
    }

    /** Lookups wait from now on until each partition is read up to its offset here, not where the topic first ended. */
    public void catchUpTo(Map<Integer, Long> offsets) {
        mustReach = offsets;
    }

    /** Whether every partition has been read up to the catch-up point. */
    public boolean caughtUp() {
        return reached(mustReach);
    }

    private boolean reached(Map<Integer, Long> target) {
        return target != null && target.entrySet().stream()
                .allMatch(end -> followed.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    /**
     * Why lookups cannot rely on what was read, as readiness reports it (naming the topic and the fault), or null
     * while the follower runs and has caught up.
     */
    public String problem() {
        if (!thread.started()) {
            return "not following " + topic + " (" + subject + ")";
        }
        String failure = thread.failure();
        if (failure != null) {
            return "following " + topic + " (" + subject + ") failed, starting again: " + failure;
        }
        if (waitingForTopic) {
            return "topic " + topic + " (" + subject + ") not found";
        }
        if (loadedTo == null) {
            return "not yet reading " + topic + " (" + subject + ")";
        }
        if (!reached(loadedTo) || !caughtUp()) {
            Map<Integer, Long> target = reached(loadedTo) ? mustReach : loadedTo;
            return subject + " not yet read up to " + target + " of " + topic + " (read up to " + followed + ")";
        }
        return null;
    }

    /** Waits (at most the follower's timeout) until {@link #caughtUp()}, else throws {@link StateNotReadyException}. */
    public void awaitCaughtUp() {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (!caughtUp()) {
            if (System.nanoTime() > deadline) {
                String failure = thread.failure();
                throw new StateNotReadyException(subject + " not yet read up to " + mustReach + " of " + topic
                        + (failure == null ? "" : "; following it failed: " + failure));
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
        return endOffsets(consumer, partitions(consumer, topic, FollowerSettings.DEFAULT.timeout()),
                FollowerSettings.DEFAULT.timeout());
    }

    private static Map<Integer, Long> endOffsets(Consumer<?, ?> consumer, List<TopicPartition> partitions,
            Duration timeout) {
        Map<Integer, Long> ends = new HashMap<>();
        consumer.endOffsets(partitions, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
        return ends;
    }

    private static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Duration timeout) {
        var infos = consumer.partitionsFor(topic, timeout);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    // One attempt: a new consumer, going on where the last attempt stopped. Returns only when stopping.
    private void follow() throws InterruptedException {
        // Most records of a topic this instance writes are its own, passed over: fetched in batches, not one by one.
        KafkaConsumer<String, byte[]> attempt = ownWriter == null ? clients.topicFollower()
                : clients.batchedTopicFollower();
        consumer = attempt;
        try {
            if (thread.stopping()) {
                return;
            }
            List<TopicPartition> partitions = List.of();
            boolean warned = false;
            while (!thread.stopping() && partitions.isEmpty()) {
                partitions = partitions(attempt, topic, settings.timeout());
                waitingForTopic = partitions.isEmpty();
                if (waitingForTopic) {
                    if (!warned) {
                        log.warn("Topic {} of {} not found; requests wait until it exists", topic, subject);
                        warned = true;
                    }
                    thread.pause(Duration.ofSeconds(1));
                }
            }
            if (thread.stopping()) {
                return;
            }
            attempt.assign(partitions);
            List<TopicPartition> fromStart = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                Long next = followed.get(partition.partition());
                if (next == null) {
                    fromStart.add(partition);
                } else {
                    attempt.seek(partition, next);
                }
            }
            if (!fromStart.isEmpty()) {
                // An empty list would mean every assigned partition.
                attempt.seekToBeginning(fromStart);
            }
            if (loadedTo == null || mustReach == null) {
                Map<Integer, Long> ends = endOffsets(attempt, partitions, settings.timeout());
                if (mustReach == null) {
                    mustReach = ends;
                }
                if (loadedTo == null) {
                    loadedTo = ends;
                }
            }
            while (!thread.stopping()) {
                for (ConsumerRecord<String, byte[]> r : attempt.poll(Duration.ofMillis(200))) {
                    if (!writtenHere(r)) {
                        handle(r);
                    }
                    followed.put(r.partition(), r.offset() + 1);
                }
                for (TopicPartition partition : partitions) {
                    followed.put(partition.partition(), attempt.position(partition, settings.timeout()));
                }
                afterEachPoll.run();
                thread.healthy();
                synchronized (followed) {
                    followed.notifyAll();
                }
            }
        } finally {
            consumer = null;
            attempt.close(Duration.ofSeconds(5));
        }
    }

    private boolean writtenHere(ConsumerRecord<String, byte[]> r) {
        if (ownWriter == null) {
            return false;
        }
        Header writer = r.headers().lastHeader(WRITER_HEADER);
        return writer != null && Arrays.equals(ownWriter, writer.value());
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        try {
            onRecord.accept(r.key(), r.value(), r.partition(), r.offset(), r.timestamp());
        } catch (PoisonRecordException e) {
            settings.poisonRecords().skip(log, topic, r.partition(), r.offset(), e.getMessage());
        } catch (RuntimeException e) {
            long failing = location(r.partition(), r.offset());
            failingAttempts = failing == failingRecord ? failingAttempts + 1 : 1;
            failingRecord = failing;
            if (failingAttempts >= ATTEMPTS_PER_RECORD) {
                settings.poisonRecords().skip(log, topic, r.partition(), r.offset(),
                        "handling it failed " + failingAttempts + " times (" + e.getClass().getSimpleName() + ")");
                return;
            }
            throw new RecordFailedException(topic, r.partition(), r.offset(), e);
        }
    }

    /** Starts following on a thread of {@code executors}; a second call does nothing. */
    public void start(ExecutorServiceManager executors) {
        thread.start(executors);
    }

    /** Stops following (waits up to 10 s for the thread); false if it was not following. */
    public boolean stop() {
        return thread.stop(Duration.ofSeconds(10));
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
        return ByteBuffer.wrap(sha256(key)).getLong();
    }

    /** The key's SHA-256, of which {@link #hash} is the first 64 bits. */
    static byte[] sha256(String key) {
        return SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    }
}
