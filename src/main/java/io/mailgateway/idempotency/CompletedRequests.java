package io.mailgateway.idempotency;

import static io.mailgateway.kafka.CompactedTopicFollower.location;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import com.carrotsearch.hppc.LongArrayDeque;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.kafka.CompactedTopicFollower;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.KeyIndex;
import io.mailgateway.kafka.PoisonRecordException;
import io.mailgateway.kafka.PoisonRecords;
import io.mailgateway.kafka.RecordReader;
import io.mailgateway.result.DeliveryResult;

/**
 * Remembers which request ids reached a terminal result, for the idempotency window, so a request seen again
 * gets its original result published again instead of a second mail. The terminal results live in a Kafka
 * topic keyed by id (compacted, with the window as retention), which every instance follows; memory holds only
 * two 64-bit hashes of each id and where its result is, so millions of ids fit in tens of megabytes, and a result
 * is replayed only once the id inside it is the id asked for.
 */
public class CompletedRequests extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(CompletedRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of completed results kept in memory unless configured otherwise. */
    public static final long DEFAULT_CACHE_BYTES = 8L * 1024 * 1024;
    // What an entry costs besides the result's bytes: the boxed location, the cache's node, the array's header.
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private final String topic;
    private final Duration window;
    private final Clock clock;
    private final CompactedTopicFollower follower;
    private final RecordReader fetcher;
    private final PoisonRecords poisonRecords;
    // Names this instance in the state records it writes: unique per start, so that after a restart the records
    // written before are read again.
    private final byte[] instanceId = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

    // Guarded by "this": id -> partition and offset of its latest terminal result.
    private final KeyIndex index;
    // Entries (their index slot and location) in the order they were indexed, to forget them once they leave the
    // window.
    private final LongArrayDeque expiryHashes = new LongArrayDeque();
    private final LongArrayDeque expiryLocations = new LongArrayDeque();
    private final LongArrayDeque expiryTimes = new LongArrayDeque();

    // Updated under "this" with the index: the latest terminal results themselves, so that replaying the records
    // re-read after a crash or a rebalance does not fetch each one from the topic. Bounded by their bytes, not their
    // number: results differ a thousandfold in size (a rejection vs. fifty recipients' replies). Keyed by location,
    // which names one record, so ids whose hashes collide never share a cached result.
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
        this(clients, topic, window, clock, followerSettings, cacheBytes, () -> new KeyIndex(false));
    }

    // Tests force hash collisions through an index with tiny hash functions.
    CompletedRequests(KafkaClients clients, String topic, Duration window, Clock clock,
            FollowerSettings followerSettings, long cacheBytes, Supplier<KeyIndex> index) {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("GATEWAY_IDEMPOTENCY_CACHE_BYTES must not be negative but was "
                    + cacheBytes);
        }
        this.recentResults = Caffeine.newBuilder()
                .maximumWeight(cacheBytes)
                .weigher((Long location, byte[] result) -> ENTRY_OVERHEAD_BYTES + result.length)
                // evicted by the thread that adds: the bound holds as results arrive, not some time later
                .executor(Runnable::run)
                .build();
        this.index = index.get();
        this.topic = topic;
        this.poisonRecords = followerSettings.poisonRecords();
        this.window = window;
        this.clock = clock;
        this.follower = new CompactedTopicFollower(clients, topic, "completed requests", LOG, this::read,
                this::forgetExpired, followerSettings, new String(instanceId, StandardCharsets.UTF_8));
        // Lookups need not wait until the request consumer gets partitions and marks where to catch up to.
        follower.catchUpTo(Map.of());
        this.fetcher = new RecordReader(clients, topic, "completed result");
    }

    /**
     * The terminal result already published for this id within the window, marked as a replay, or null.
     * Waits until the index has caught up with everything written before the current partitions were assigned.
     */
    public DeliveryResult find(String id) {
        DeliveryResult original = latest(id, 0);
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
        return Optional.ofNullable(latest(null, idHash));
    }

    // The result of this id, or of the id in this index slot; null unless the record and the result name that id.
    private DeliveryResult latest(String id, long slot) {
        follower.awaitCaughtUp();
        long location;
        byte[] recent;
        synchronized (this) {
            location = id != null ? index.location(id) : index.locationOfSlot(slot);
            if (location == KeyIndex.NONE) {
                return null;
            }
            recent = recentResults.getIfPresent(location);
        }
        byte[] value = recent;
        if (value == null) {
            ConsumerRecord<String, byte[]> record = fetcher.at(location);
            if (record == null || record.key() == null || !names(record.key(), id, slot) || record.value() == null
                    || Instant.ofEpochMilli(record.timestamp()).isBefore(clock.instant().minus(window))) {
                return null;
            }
            value = record.value();
        }
        try {
            DeliveryResult original = JSON.readValue(value, DeliveryResult.class);
            if (original.id() == null || !names(original.id(), id, slot)) {
                return null;
            }
            return original;
        } catch (IOException e) {
            poisonRecords.skip(LOG, topic, CompactedTopicFollower.partition(location),
                    CompactedTopicFollower.offset(location), "not a delivery result");
            return null;
        }
    }

    private boolean names(String key, String id, long slot) {
        return id != null ? id.equals(key) : index.hash(key) == slot;
    }

    /**
     * The state record that remembers this outcome, for the caller that publishes it with the outcome's other records,
     * or null when the outcome is not remembered. Remembered are a terminal result, and a DEFERRED progress result
     * while the request waits on the retry topic (so a record read again meanwhile does not start a second delivery).
     * Replays are not, nor are REJECTED results: a request that failed validation sent nothing, and the producer may
     * send a corrected request under the same id. Once Kafka acknowledged the record, call {@link #recorded}.
     */
    public ProducerRecord<String, byte[]> stateRecord(DeliveryResult result) {
        if (Boolean.TRUE.equals(result.replay()) || result.status() == DeliveryResult.Status.REJECTED
                || (!result.terminal() && result.status() != DeliveryResult.Status.DEFERRED)) {
            return null;
        }
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(result);
        } catch (IOException e) {
            throw new IllegalStateException("a delivery result must always serialise", e);
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, result.id(), value);
        // This instance remembers it now; its follower passes over it instead of indexing it a second time.
        record.headers().add(CompactedTopicFollower.WRITER_HEADER, instanceId);
        return record;
    }

    /** Remembers a {@link #stateRecord state record} that Kafka acknowledged where {@code written} says. */
    public void recorded(ProducerRecord<String, byte[]> record, RecordMetadata written) {
        remember(record.key(), location(written.partition(), written.offset()), written.timestamp(), record.value());
    }

    /** The topic the state records go to. */
    public String topic() {
        return topic;
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
        follower.catchUpTo(fetcher.endOffsets());
    }

    private void read(String key, byte[] value, int partition, long offset, long timestamp) {
        if (key == null) {
            throw new PoisonRecordException("no key (the key must be the request id)");
        }
        if (value == null) {
            synchronized (this) {
                long known = index.location(key);
                if (index.remove(key, location(partition, offset)) && known != KeyIndex.NONE) {
                    recentResults.invalidate(known);
                }
            }
        } else {
            remember(key, location(partition, offset), timestamp, value);
        }
    }

    // Package-private so the memory bound can be measured without a broker.
    synchronized void remember(String id, long location, long timestamp, byte[] result) {
        long replaced = index.location(id);
        if (!index.put(id, location, 0)) {
            return;
        }
        if (replaced != KeyIndex.NONE && replaced != location) {
            recentResults.invalidate(replaced);
        }
        if (result != null) {
            recentResults.put(location, result);
        }
        expiryHashes.addLast(index.hash(id));
        expiryLocations.addLast(location);
        expiryTimes.addLast(timestamp);
    }

    // Package-private so tests forget without a broker.
    synchronized void forgetExpired() {
        long oldest = clock.millis() - window.toMillis();
        while (!expiryTimes.isEmpty() && expiryTimes.getFirst() < oldest) {
            long slot = expiryHashes.removeFirst();
            long location = expiryLocations.removeFirst();
            expiryTimes.removeFirst();
            if (index.forgetRecord(slot, location)) {
                recentResults.invalidate(location);
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
        closeAll(follower::stop, fetcher::close);
    }
}
