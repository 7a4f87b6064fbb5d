package io.mailgateway.idempotency;

import static io.mailgateway.kafka.CompactedTopicFollower.hash;
import static io.mailgateway.kafka.CompactedTopicFollower.location;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.carrotsearch.hppc.LongArrayDeque;
import com.carrotsearch.hppc.LongLongHashMap;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.kafka.CompactedTopicFollower;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecordException;
import io.mailgateway.kafka.PoisonRecords;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.kafka.StateNotReadyException;

/**
 * Remembers which request ids reached a terminal result, for the idempotency window, so a request seen again
 * gets its original result published again instead of a second mail. The terminal results live in a Kafka
 * topic keyed by id (compacted, with the window as retention), which every instance follows; memory holds only a
 * 64-bit hash of each id and where its result is, so millions of ids fit in tens of megabytes.
 */
public class CompletedRequests extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(CompletedRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    /** Bytes of completed results kept in memory unless configured otherwise. */
    public static final long DEFAULT_CACHE_BYTES = 8L * 1024 * 1024;
    // What an entry costs besides the result's bytes: the boxed key, the cache's node, the array's header.
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private final String topic;
    private final Duration window;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> writer;
    private final CompactedTopicFollower follower;
    private final KafkaConsumer<String, byte[]> fetcher;
    private final PoisonRecords poisonRecords;

    // Guarded by "this": hash of the id -> partition and offset of its latest terminal result.
    private final LongLongHashMap index = new LongLongHashMap();
    // Entries in the order they were indexed, to forget them once they leave the window.
    private final LongArrayDeque expiryHashes = new LongArrayDeque();
    private final LongArrayDeque expiryLocations = new LongArrayDeque();
    private final LongArrayDeque expiryTimes = new LongArrayDeque();

    // Updated under "this" with the index: the latest terminal results themselves, so that replaying the records
    // re-read after a crash or a rebalance does not fetch each one from the topic. Bounded by their bytes, not their
    // number: results differ a thousandfold in size (a rejection vs. fifty recipients' replies).
    private final Cache<Long, byte[]> recentResults;

    public CompletedRequests(KafkaClients clients, String topic, Duration window, Clock clock) {
        this(clients, topic, window, clock, FollowerSettings.DEFAULT, DEFAULT_CACHE_BYTES);
    }

    public CompletedRequests(KafkaClients clients, String topic, Duration window, Clock clock, long cacheBytes) {
        this(clients, topic, window, clock, FollowerSettings.DEFAULT, cacheBytes);
    }

    /** @param cacheBytes most bytes of completed results kept in memory (0: none; each is then read from the topic) */
    public CompletedRequests(KafkaClients clients, String topic, Duration window, Clock clock,
            FollowerSettings followerSettings, long cacheBytes) {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("GATEWAY_IDEMPOTENCY_CACHE_BYTES must not be negative but was "
                    + cacheBytes);
        }
        this.recentResults = Caffeine.newBuilder()
                .maximumWeight(cacheBytes)
                .weigher((Long hash, byte[] result) -> ENTRY_OVERHEAD_BYTES + result.length)
                // evicted by the thread that adds: the bound holds as results arrive, not some time later
                .executor(Runnable::run)
                .build();
        this.topic = topic;
        this.poisonRecords = followerSettings.poisonRecords();
        this.window = window;
        this.clock = clock;
        this.writer = clients.stateWriter();
        this.follower = new CompactedTopicFollower(clients, topic, "completed requests", LOG, this::read,
                this::forgetExpired, followerSettings);
        // Lookups need not wait until the request consumer gets partitions and marks where to catch up to.
        follower.catchUpTo(Map.of());
        this.fetcher = clients.recordReader();
    }

    /**
     * The terminal result already published for this id within the window, marked as a replay, or null.
     * Waits until the index has caught up with everything written before the current partitions were assigned.
     */
    public DeliveryResult find(String id) {
        DeliveryResult original = latest(hash(id), id);
        if (original == null) {
            return null;
        }
        return new DeliveryResult(original.id(), original.status(), original.terminal(), original.messageId(),
                original.attempt(), original.smtp(), original.recipients(), original.reason(), original.tags(),
                Boolean.TRUE, original.receivedAt(), original.completedAt());
    }

    /**
     * The latest result recorded within the window for the request whose id has this 64-bit hash (as a VERP return
     * path carries it), as published; empty when none is. The caller checks the id it names.
     */
    public Optional<DeliveryResult> resultByIdHash(long idHash) {
        return Optional.ofNullable(latest(idHash, null));
    }

    // The result indexed under the hash, or null; with an id, only if it is that id's.
    private DeliveryResult latest(long hash, String id) {
        follower.awaitCaughtUp();
        long location;
        byte[] recent;
        synchronized (this) {
            if (!index.containsKey(hash)) {
                return null;
            }
            location = index.get(hash);
            recent = recentResults.getIfPresent(hash);
        }
        byte[] value = recent;
        if (value == null) {
            ConsumerRecord<String, byte[]> record = fetch(location);
            if (record == null || record.key() == null || hash(record.key()) != hash
                    || (id != null && !id.equals(record.key())) || record.value() == null
                    || Instant.ofEpochMilli(record.timestamp()).isBefore(clock.instant().minus(window))) {
                return null;
            }
            value = record.value();
        }
        try {
            DeliveryResult original = JSON.readValue(value, DeliveryResult.class);
            if (original.id() == null || (id != null ? !id.equals(original.id()) : hash(original.id()) != hash)) {
                return null;
            }
            return original;
        } catch (IOException e) {
            poisonRecords.skip(LOG, topic, CompactedTopicFollower.partition(location),
                    CompactedTopicFollower.offset(location), "not a delivery result");
            return null;
        }
    }

    /**
     * Records an outcome after it was published: a terminal result, or a DEFERRED progress result while the request
     * waits on the retry topic (so a record read again meanwhile does not start a second delivery). Replays are not
     * recorded, nor are REJECTED results: a request that failed validation sent nothing, and the producer may send
     * a corrected request under the same id.
     */
    public void complete(DeliveryResult result) {
        if (Boolean.TRUE.equals(result.replay()) || result.status() == DeliveryResult.Status.REJECTED
                || (!result.terminal() && result.status() != DeliveryResult.Status.DEFERRED)) {
            return;
        }
        RecordMetadata written;
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(result);
            written = writer.send(new ProducerRecord<>(topic, result.id(), value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot record the completed request in " + topic, e);
        }
        remember(hash(result.id()), location(written.partition(), written.offset()), written.timestamp(), value);
    }

    /**
     * Whether a retry that follows {@code attempts} earlier attempts is out of date: the request reached a terminal
     * result since, or a later attempt was recorded (a second copy of the retry record). Such a retry sends nothing.
     */
    public boolean supersedes(String id, int attempts) {
        DeliveryResult recorded = find(id);
        return recorded != null && (recorded.terminal()
                || (recorded.attempt() == null ? 0 : recorded.attempt()) > attempts);
    }

    /** Called when the request consumer got partitions: lookups wait until everything written so far is indexed. */
    public void markCatchUpPoint() {
        synchronized (fetcher) {
            follower.catchUpTo(CompactedTopicFollower.endOffsets(fetcher, topic));
        }
    }

    private ConsumerRecord<String, byte[]> fetch(long location) {
        TopicPartition partition = new TopicPartition(topic, CompactedTopicFollower.partition(location));
        long offset = CompactedTopicFollower.offset(location);
        synchronized (fetcher) {
            fetcher.assign(List.of(partition));
            fetcher.seek(partition, offset);
            long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : fetcher.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return record;
                    }
                    if (record.offset() > offset) {
                        return null;
                    }
                }
            }
            throw new StateNotReadyException("cannot read the completed result at " + partition + "@" + offset);
        }
    }

    private void read(String key, byte[] value, int partition, long offset, long timestamp) {
        if (key == null) {
            throw new PoisonRecordException("no key (the key must be the request id)");
        }
        long hash = hash(key);
        if (value == null) {
            synchronized (this) {
                index.remove(hash);
                recentResults.invalidate(hash);
            }
        } else {
            remember(hash, location(partition, offset), timestamp, value);
        }
    }

    // Package-private so the memory bound can be measured without a broker.
    synchronized void remember(long hash, long location, long timestamp, byte[] result) {
        index.put(hash, location);
        if (result != null) {
            recentResults.put(hash, result);
        }
        expiryHashes.addLast(hash);
        expiryLocations.addLast(location);
        expiryTimes.addLast(timestamp);
    }

    private synchronized void forgetExpired() {
        long oldest = clock.millis() - window.toMillis();
        while (!expiryTimes.isEmpty() && expiryTimes.getFirst() < oldest) {
            long hash = expiryHashes.removeFirst();
            long location = expiryLocations.removeFirst();
            expiryTimes.removeFirst();
            if (index.containsKey(hash) && index.get(hash) == location) {
                index.remove(hash);
                recentResults.invalidate(hash);
            }
        }
    }

    /** Readiness: DOWN while the topic is not followed or not read up to where lookups must wait for. */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("completed-requests", follower::problem);
    }

    /** How many ids are remembered now. */
    public synchronized int size() {
        return index.size();
    }

    /** The heap the remembered ids take, as the primitive collections account it, plus the cached results. */
    public synchronized long memoryBytes() {
        return index.ramBytesAllocated() + expiryHashes.ramBytesAllocated() + expiryLocations.ramBytesAllocated()
                + expiryTimes.ramBytesAllocated() + cachedResultBytes();
    }

    /** Bytes of completed results held in memory now, by the cache's own weighing. */
    public long cachedResultBytes() {
        return recentResults.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    @Override
    protected void doStart() {
        follower.start(executors());
    }

    @Override
    protected void doStop() {
        closeAll(follower::stop, () -> {
            synchronized (fetcher) {
                fetcher.close(Duration.ofSeconds(5));
            }
        }, () -> writer.close(Duration.ofSeconds(5)));
    }
}
