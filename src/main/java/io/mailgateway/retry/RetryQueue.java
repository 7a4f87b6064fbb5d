package io.mailgateway.retry;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.attempt.RetryRecord;
import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.background.RestartBackoff;
import io.mailgateway.background.SupervisedThread;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecords;

/**
 * Reads the retry topic and hands out the deferred requests that are due, oldest first per partition, a round at a
 * time. The retries of a round may be handled in parallel: each one's commit handle only marks it finished, and
 * {@link #commitFinished()} then commits every partition up to its first unfinished record, so a crash or a failed
 * attempt repeats that attempt instead of losing it, and a later retry's commit never passes an earlier one's.
 * A round hands out at most one retry per request id, so two retries of one request never run at once or out of order.
 * Used from one thread only (the route's timer), as the Kafka consumer requires.
 */
public final class RetryQueue extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final int RECORDS_PER_POLL = 50;
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients clients;
    private final String groupId;
    private final String topic;
    private final Clock clock;
    private final RestartBackoff backoff;
    private final PoisonRecords poisonRecords;
    private KafkaConsumer<String, byte[]> consumer;
    private boolean subscribed;
    private volatile long backlog;
    // When the longest-waiting request at the head of a partition was first received; null while none waits.
    private volatile Instant oldestWaitingSince;
    // While reading the topic fails: how often in a row, why, and when to try again.
    private int failures;
    private volatile String failure;
    private Instant retryAt = Instant.MIN;
    // The records of the last round in the order read (so in offset order per partition), due or skipped.
    private List<Position> lastRound = List.of();
    private boolean lastRoundHandedOut;
    private boolean lastRoundCommitted;

    /** A due retry and the handle that marks it finished, to be committed by {@link #commitFinished()}. */
    public record Due(RetryRecord record, String receivedAt, byte[] request, KafkaManualCommit commit) {
    }

    /** A record read in a round: committed once it and every record before it in its partition are finished. */
    private static final class Position implements KafkaManualCommit {
        private final TopicPartition partition;
        private final long offset;
        private volatile boolean finished;

        Position(TopicPartition partition, long offset) {
            this.partition = partition;
            this.offset = offset;
        }

        /** Called by the thread that published the retry's outcome; the commit itself is the timer thread's. */
        @Override
        public void commit() {
            finished = true;
        }
    }

    public RetryQueue(KafkaClients clients, String topic, String groupId, Clock clock) {
        this(clients, topic, groupId, clock, RestartBackoff.DEFAULT, PoisonRecords.NOT_COUNTED);
    }

    /**
     * @param backoff       how long to wait before reading again after reading failed
     * @param poisonRecords counts the records skipped as unreadable
     */
    public RetryQueue(KafkaClients clients, String topic, String groupId, Clock clock, RestartBackoff backoff,
            PoisonRecords poisonRecords) {
        this.clients = clients;
        this.groupId = groupId;
        this.consumer = clients.groupMember(groupId, RECORDS_PER_POLL);
        this.topic = topic;
        this.clock = clock;
        this.backoff = backoff;
        this.poisonRecords = poisonRecords;
    }

    /**
     * The records that are due now, or none while reading the topic fails: the failure is logged and readiness
     * reports it, and reading is tried again after a backoff (with a new consumer when the old one cannot recover),
     * so the retries wait in the topic instead of the route failing on every tick.
     */
    public List<Due> due() {
        lastRound = List.of();
        lastRoundHandedOut = false;
        lastRoundCommitted = false;
        if (clock.instant().isBefore(retryAt)) {
            return List.of();
        }
        try {
            List<Due> due = dueNow();
            failures = 0;
            failure = null;
            return due;
        } catch (RuntimeException e) {
            failures++;
            failure = SupervisedThread.describe(e);
            Duration wait = backoff.delay(failures);
            retryAt = clock.instant().plus(wait);
            boolean renew = !(e instanceof RetriableException);
            if (failures == 1) {
                LOG.error("Reading the retry topic {} failed; trying again in {} ms{}", topic, wait.toMillis(),
                        renew ? " with a new consumer" : "", e);
            } else {
                LOG.warn("Reading the retry topic {} failed again ({} times in a row): {}; trying again in {} ms", topic,
                        failures, failure, wait.toMillis());
            }
            if (renew) {
                renewConsumer();
            }
            return List.of();
        }
    }

    // A consumer that failed for a reason Kafka does not retry by itself (e.g. it was fenced or woken) is replaced.
    private void renewConsumer() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("Closing the failed consumer of {} failed too: {}", topic, e.toString());
        }
        consumer = clients.groupMember(groupId, RECORDS_PER_POLL);
        subscribed = false;
    }

    /** Why reading the retry topic fails now, for readiness, or null while it works. */
    public String problem() {
        String now = failure;
        return now == null ? null : "reading the retry topic " + topic + " fails: " + now;
    }

    /** Readiness: DOWN while reading the retry topic fails, so deferred requests do not wait unnoticed. */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("retry-queue", this::problem);
    }

    /**
     * The records that are due now. Each call starts again from the committed position, so a record whose
     * attempt failed before it was committed comes back; the first record of a partition that is not due yet
     * holds back the rest of that partition (they were deferred later, so they are due later).
     */
    private List<Due> dueNow() {
        KafkaConsumer<String, byte[]> consumer = this.consumer;
        if (!subscribed) {
            consumer.subscribe(List.of(topic));
            subscribed = true;
        }
        rewindToCommitted(consumer);
        Instant now = clock.instant();
        Map<TopicPartition, Boolean> blocked = new HashMap<>();
        Set<String> requestIds = new HashSet<>();
        List<Position> read = new ArrayList<>();
        List<Due> due = new ArrayList<>();
        Set<TopicPartition> heads = new HashSet<>();
        Instant oldest = null;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (blocked.getOrDefault(partition, false)) {
                continue;
            }
            RetryRecord retry = parse(record);
            if (retry != null && heads.add(partition)) {
                Instant received = receivedAt(retry);
                if (received != null && (oldest == null || received.isBefore(oldest))) {
                    oldest = received;
                }
            }
            if (retry != null && Instant.parse(retry.notBefore()).isAfter(now)) {
                blocked.put(partition, true);
                continue;
            }
            // A second retry of a request in this round (one published again after a crash) waits for the next
            // round, and the rest of its partition with it: the first must be finished before the second starts.
            if (retry != null && !requestIds.add(retry.id())) {
                blocked.put(partition, true);
                continue;
            }
            Position position = new Position(partition, record.offset());
            read.add(position);
            if (retry == null) {
                // Only the gateway writes this topic; an unreadable record cannot be retried, so it is skipped.
                LOG.error("Skipping unreadable record at {}-{} offset {} of the retry topic", record.topic(),
                        record.partition(), record.offset());
                poisonRecords.skipped(record.topic());
                position.commit();
                continue;
            }
            due.add(new Due(retry, retry.state().receivedAt(), bytes(retry), position));
        }
        lastRound = read;
        lastRoundHandedOut = !due.isEmpty();
        if (oldest != null) {
            oldestWaitingSince = oldest;
        } else if (backlog == 0) {
            oldestWaitingSince = null;
        }
        return due;
    }

    /**
     * Commits each partition of the last round up to its first unfinished record; the records from there on come
     * again in the next round. A failed commit is logged: those records come again too, and find their outcome
     * already recorded.
     */
    public void commitFinished() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> stopped = new HashSet<>();
        boolean allFinished = true;
        for (Position position : lastRound) {
            if (stopped.contains(position.partition)) {
                continue;
            }
            if (!position.finished) {
                stopped.add(position.partition);
                allFinished = false;
                continue;
            }
            offsets.put(position.partition, new OffsetAndMetadata(position.offset + 1));
        }
        lastRound = List.of();
        if (offsets.isEmpty()) {
            lastRoundCommitted = allFinished;
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(30));
            lastRoundCommitted = allFinished;
        } catch (RuntimeException e) {
            lastRoundCommitted = false;
            LOG.warn("Committing the finished retries of {} failed, they are read again: {}", topic,
                    SupervisedThread.describe(e));
        }
    }

    /**
     * Whether the next round should start now: the last one handed out retries and every one of them finished and
     * was committed, so more may be due already while a backlog drains. Not after a round that handed out nothing
     * (nothing is due before the next tick) or left a retry unfinished (the relay or Kafka does not take it now),
     * and not while the gateway stops.
     */
    public boolean moreDue() {
        boolean stopping = getCamelContext() != null && getCamelContext().isStopping();
        return lastRoundHandedOut && lastRoundCommitted && !stopping;
    }

    private static Instant receivedAt(RetryRecord retry) {
        try {
            return retry.state().receivedAt() == null ? null : Instant.parse(retry.state().receivedAt());
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /**
     * Seconds since the longest-waiting deferred request at the head of this instance's partitions of the retry
     * topic was first received, or 0 while none waits. Counted up to now, so it keeps growing while retries stall.
     */
    public double oldestAgeSeconds() {
        Instant since = oldestWaitingSince;
        return since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0);
    }

    /**
     * Sends each partition back to its committed offset, or to its beginning while nothing of it was committed.
     * Always a concrete offset, and only where the last round read past it: a partition left to Kafka's offset
     * reset would wait for that reset at every round, while the long poll of the other partitions' fetch keeps
     * it from being fetched, so its retries would never come (with several partitions, one never committed).
     */
    private void rewindToCommitted(KafkaConsumer<String, byte[]> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, KAFKA_TIMEOUT);
        List<TopicPartition> neverCommitted = assigned.stream().filter(p -> committed.get(p) == null).toList();
        Map<TopicPartition, Long> beginnings = neverCommitted.isEmpty() ? Map.of()
                : consumer.beginningOffsets(neverCommitted, KAFKA_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, KAFKA_TIMEOUT);
        long waiting = 0;
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata done = committed.get(partition);
            long from = done == null ? beginnings.get(partition) : done.offset();
            waiting += Math.max(0, ends.get(partition) - from);
            if (consumer.position(partition, KAFKA_TIMEOUT) != from) {
                consumer.seek(partition, from);
            }
        }
        backlog = waiting;
    }

    /** Deferred requests in this instance's partitions of the retry topic, as of the last check. */
    public long backlog() {
        return backlog;
    }

    // Null for a record that is not a usable retry: not JSON, a field missing or of the wrong type, a bad instant.
    private static RetryRecord parse(ConsumerRecord<String, byte[]> record) {
        try {
            RetryRecord retry = JSON.readValue(record.value(), RetryRecord.class);
            if (retry == null || retry.request() == null || retry.state() == null || retry.notBefore() == null) {
                return null;
            }
            Instant.parse(retry.notBefore());
            return retry;
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
    protected void doStart() {
        // The consumer joins its group on the first call of due().
    }

    @Override
    protected void doStop() {
        consumer.close(Duration.ofSeconds(10));
    }
}
