package io.mailgateway.suppress;

import static io.mailgateway.kafka.CompactedTopicFollower.location;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
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
import io.mailgateway.kafka.RecordReader;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Status;

/**
 * The addresses the gateway must not send to. The list lives in a compacted Kafka topic keyed by normalised
 * address (a tenant's unsubscribe by tenant and address: {@link Suppression#key()}), which every instance reads in full, so all instances suppress the same addresses; a record with no
 * value (a tombstone) lifts an entry, and an entry stops suppressing when it expires. Requests wait until the
 * list has been read up to where it stood when the gateway started, so nothing is sent before it is known.
 */
public class SuppressionList extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(SuppressionList.class);
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    // An entry is a few short fields; anything much larger is not one, and is skipped unparsed.
    static final int MAX_ENTRY_BYTES = 64 * 1024;
    // Locations whose record's key was read back: an address suppressed now is usually asked for again.
    private static final int CONFIRMED_LOCATIONS = 10_000;

    private final String topic;
    private final Duration timeToLive;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> writer;
    private final CompactedTopicFollower follower;
    private final RecordReader records;

    // An entry's expiry (epoch ms) and whether it suppresses only bulk mail share one long: epoch milliseconds
    // need far fewer than 62 bits, so the flag takes no memory of its own.
    private static final long BULK_ONLY = 1L << 62;

    // Guarded by "this": normalised address -> its entry (expiry and BULK_ONLY flag) and where the entry was read or
    // written (partition and offset), so an older record read late never undoes a newer one. Hashes, not the
    // addresses: a million entries take about 96 MiB, and no address sits in the heap; a hit is confirmed by the
    // key of the record at the entry's location.
    private final KeyIndex entries;
    // Location -> the key of the record there, for hits already confirmed; a location names one record for good.
    private final Cache<Long, String> confirmed = Caffeine.newBuilder().maximumSize(CONFIRMED_LOCATIONS)
            .executor(Runnable::run).build();

    // Guarded by "this": when purgeExpired next drops expired entries.
    private long nextPurge;

    /** @param timeToLive how long an entry without its own expiresAt suppresses, counted from its addedAt */
    public SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock) {
        this(clients, topic, timeToLive, clock, FollowerSettings.DEFAULT);
    }

    public SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock,
            FollowerSettings followerSettings) {
        this(clients, topic, timeToLive, clock, followerSettings, () -> new KeyIndex(true));
    }

    // Tests force hash collisions through an index with tiny hash functions.
    SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock,
            FollowerSettings followerSettings, Supplier<KeyIndex> index) {
        this.entries = index.get();
        this.topic = topic;
        this.timeToLive = timeToLive;
        this.clock = clock;
        this.writer = clients.stateWriter();
        // Loaded once read up to where the topic ended when the gateway started.
        this.follower = new CompactedTopicFollower(clients, topic, "suppression list", LOG, this::read,
                this::purgeExpired, followerSettings);
        this.records = new RecordReader(clients, topic, "suppression entry");
    }

    /**
     * The normalised addresses among the request's recipients (to, cc, bcc) that are suppressed now for this
     * request: every entry in effect counts for bulk mail, only those that are not {@link Suppression#bulkOnly()
     * unsubscribes} count for other mail.
     *
     * @param bulk whether the request is bulk mail of its tenant ({@link BulkMail#isBulk})
     */
    public Set<String> suppressedAmong(MailRequest request, boolean bulk) {
        follower.awaitCaughtUp();
        String tenant = request.tags().get("tenant");
        Set<String> suppressed = new LinkedHashSet<>();
        Stream.of(request.to(), request.cc(), request.bcc()).flatMap(List::stream).map(MailAddress::address)
                .map(Suppression::normalize)
                .filter(address -> bulk ? bulkMailSuppressedNow(tenant, address) : suppressedNow(address, false))
                .forEach(suppressed::add);
        return suppressed;
    }

    /**
     * Whether bulk mail of this tenant to this address is suppressed now: by an entry for the address (which
     * applies to all tenants) or by the tenant's own unsubscribe entry. Waits until loaded.
     *
     * @param tenant null for mail of no tenant, which only entries for the address suppress
     */
    public boolean bulkMailSuppressed(String tenant, String address) {
        follower.awaitCaughtUp();
        return bulkMailSuppressedNow(tenant, Suppression.normalize(address));
    }

    private boolean bulkMailSuppressedNow(String tenant, String normalized) {
        return suppressedNow(normalized, true)
                || tenant != null && suppressedNow(Suppression.unsubscribeKey(tenant, normalized), true);
    }

    /**
     * Whether this address has an entry in effect now that applies to all tenants (so bulk mail to it is
     * suppressed); waits until loaded.
     */
    public boolean isSuppressed(String address) {
        return isSuppressed(address, true);
    }

    /**
     * Whether bulk mail ({@code bulk}) or other mail to this address is suppressed now by an entry that applies to
     * all tenants; waits until loaded.
     */
    public boolean isSuppressed(String address, boolean bulk) {
        follower.awaitCaughtUp();
        return suppressedNow(Suppression.normalize(address), bulk);
    }

    /** Adds (or replaces) an entry; returns once the broker has acknowledged it. */
    public void add(Suppression entry) {
        write(entry.key(), entry.toJson(), packed(entry));
    }

    /**
     * Adds the entry unless all mail to its address is suppressed already, and says whether it did. The gateway's
     * own entries go through here: an unsubscribe must not replace a hard bounce or complaint (it would let
     * transactional mail through again), while a hard bounce does replace an unsubscribe.
     */
    public boolean addUnlessAllMailSuppressed(Suppression entry) {
        follower.awaitCaughtUp();
        if (suppressedNow(Suppression.normalize(entry.address()), false)) {
            return false;
        }
        add(entry);
        return true;
    }

    /** Lifts the entry of this address that applies to all tenants, if there is one, by writing a tombstone. */
    public void remove(String address) {
        write(Suppression.normalize(address), null, 0);
    }

    /** Lifts this tenant's unsubscribe entry of this address, if there is one, by writing a tombstone. */
    public void removeUnsubscribe(String tenant, String address) {
        write(Suppression.unsubscribeKey(tenant, address), null, 0);
    }

    /**
     * Adds every recipient of a published result that failed because its mailbox or domain does not exist (an
     * enhanced status 5.1.x, except 5.1.7 and 5.1.8, which are about the sender), unless it is suppressed already.
     * A replayed result adds nothing: its bounces were added when it was first published, and may have been lifted
     * since.
     */
    public void addHardBounces(DeliveryResult result) {
        if (result.recipients() == null || Boolean.TRUE.equals(result.replay())) {
            return;
        }
        for (Recipient recipient : result.recipients()) {
            if (recipient.status() == Status.FAILED && hardBounce(recipient.enhancedStatus())) {
                String tenant = result.tags() == null ? null : result.tags().get("tenant");
                addUnlessAllMailSuppressed(
                        new Suppression(recipient.address(), Suppression.HARD_BOUNCE, tenant, clock.instant(), null));
            }
        }
    }

    static boolean hardBounce(String enhancedStatus) {
        return enhancedStatus != null && enhancedStatus.startsWith("5.1.")
                && !enhancedStatus.equals("5.1.7") && !enhancedStatus.equals("5.1.8");
    }

    /** How many entries are held (expired ones are dropped about once a minute). */
    public synchronized int size() {
        return entries.size();
    }

    /** Readiness: DOWN while the topic is not followed or not read up to where it stood at start-up. */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("suppression-list", follower::problem);
    }

    /** Whether the list has been read up to where the topic stood at start-up. */
    public boolean ready() {
        return follower.caughtUp();
    }

    private void write(String key, byte[] value, long entry) {
        RecordMetadata written;
        try {
            written = writer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the suppression list " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to the suppression list " + topic, e);
        }
        // Applied at once, so this instance never sends to an address it has just suppressed.
        apply(key, value == null ? null : entry, location(written.partition(), written.offset()));
    }

    private boolean suppressedNow(String key, boolean bulk) {
        long location;
        synchronized (this) {
            location = entries.location(key);
            if (location == KeyIndex.NONE || !suppresses(entries.value(key), bulk, clock.millis())) {
                return false;
            }
        }
        String recordKey = keyAt(location);
        return recordKey == null || recordKey.equals(key);
    }

    // The index key of the record at this location. A record compaction removed has a newer one of the same key,
    // not read yet: the entry's two 64-bit hashes, which matched, decide until it is.
    private String keyAt(long location) {
        String known = confirmed.getIfPresent(location);
        if (known != null) {
            return known;
        }
        ConsumerRecord<String, byte[]> record = records.at(location);
        if (record == null) {
            return null;
        }
        String key = record.key() == null ? "" : indexKey(record.key());
        confirmed.put(location, key);
        return key;
    }

    /** The key an entry is indexed by, from its record's key. */
    private static String indexKey(String recordKey) {
        return Suppression.normalize(recordKey);
    }

    /** The in-memory form of an entry: its expiry in epoch milliseconds, with the BULK_ONLY flag for unsubscribes. */
    private long packed(Suppression entry) {
        return packed(entry.effectiveExpiry(timeToLive).toEpochMilli(), entry.bulkOnly());
    }

    static long packed(long expiresAtMillis, boolean bulkOnly) {
        // Before 1970 is as expired as yesterday; later than BULK_ONLY milliseconds is millions of years away.
        long expiry = Math.min(Math.max(expiresAtMillis, 0), BULK_ONLY - 1);
        return bulkOnly ? expiry | BULK_ONLY : expiry;
    }

    /** Whether an entry in its in-memory form suppresses a bulk or other mail at {@code nowMillis}. */
    static boolean suppresses(long packed, boolean bulk, long nowMillis) {
        return expiry(packed) > nowMillis && (bulk || (packed & BULK_ONLY) == 0);
    }

    private static long expiry(long packed) {
        return packed & ~BULK_ONLY;
    }

    private synchronized void apply(String key, Long entry, long location) {
        if (entry == null) {
            entries.remove(key, location);
        } else {
            entries.put(key, location, entry);
        }
    }

    // Runs after every poll of the topic, and drops expired entries about once a minute.
    private synchronized void purgeExpired() {
        long now = clock.millis();
        if (now < nextPurge) {
            return;
        }
        for (long location : entries.removeIf(entry -> expiry(entry) <= now)) {
            confirmed.invalidate(location);
        }
        nextPurge = clock.millis() + PURGE_INTERVAL.toMillis();
    }

    // Throws PoisonRecordException for a record that cannot be an entry; the follower logs where it is and counts it.
    private void read(String key, byte[] value, int partition, long offset, long timestamp) {
        if (key == null || key.isBlank()) {
            throw new PoisonRecordException("no key (the key must be the normalised address, or tenant:address)");
        }
        long location = location(partition, offset);
        String indexKey = indexKey(key);
        if (value == null) {
            apply(indexKey, null, location);
            return;
        }
        if (value.length > MAX_ENTRY_BYTES) {
            throw new PoisonRecordException("value larger than " + MAX_ENTRY_BYTES + " bytes");
        }
        long entry;
        try {
            entry = packed(Suppression.fromJson(key, value, Instant.ofEpochMilli(timestamp)));
        } catch (IllegalArgumentException e) {
            // Its message names the field that is wrong, never the value.
            throw new PoisonRecordException(e.getMessage());
        } catch (DateTimeException | ArithmeticException e) {
            throw new PoisonRecordException("addedAt or expiresAt out of range");
        }
        apply(indexKey, entry, location);
    }

    @Override
    protected void doStart() {
        follower.start(executors());
    }

    @Override
    protected void doStop() {
        closeAll(follower::stop, records::close, () -> writer.close(Duration.ofSeconds(5)));
    }
}
