package io.mailgateway.suppress;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.mailgateway.kafka.KeyIndex;
import io.mailgateway.kafka.RecordReader;

/** The suppression list's entries in memory: which keys are suppressed until when, and for which mail. */
final class SuppressionEntries {

    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    // Locations whose record's key was read back: an address suppressed now is usually asked for again.
    private static final int CONFIRMED_LOCATIONS = 10_000;

    // An entry's expiry (epoch ms) and whether it suppresses only bulk mail share one long: epoch milliseconds
    // need far fewer than 62 bits, so the flag takes no memory of its own.
    private static final long BULK_ONLY = 1L << 62;

    private final Duration timeToLive;
    private final Clock clock;
    private final RecordReader records;

    // Locking: this object's monitor guards entries and nextPurge, and nothing else; confirmed is safe on its own,
    // and reading a record back (keyAt) happens outside the monitor, so a slow broker never holds up the follower's
    // apply and purgeExpired, nor other questions.

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

    /**
     * @param timeToLive how long an entry without its own expiresAt suppresses, counted from its addedAt
     * @param records reads back the record at an entry's location, to confirm a hash hit
     */
    SuppressionEntries(KeyIndex entries, Duration timeToLive, Clock clock, RecordReader records) {
        this.entries = entries;
        this.timeToLive = timeToLive;
        this.clock = clock;
        this.records = records;
    }

    /** Whether the entry of this index key, if any, suppresses bulk mail ({@code bulk}) or other mail now. */
    boolean suppressedNow(String key, boolean bulk) {
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
    static String indexKey(String recordKey) {
        return Suppression.normalize(recordKey);
    }

    /** The in-memory form of an entry: its expiry in epoch milliseconds, with the BULK_ONLY flag for unsubscribes. */
    long packed(Suppression entry) {
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

    /** Records the entry (null for a tombstone) read or written at this location. */
    synchronized void apply(String key, Long entry, long location) {
        if (entry == null) {
            entries.remove(key, location);
        } else {
            entries.put(key, location, entry);
        }
    }

    // Runs after every poll of the topic, and drops expired entries about once a minute.
    synchronized void purgeExpired() {
        long now = clock.millis();
        if (now < nextPurge) {
            return;
        }
        for (long location : entries.removeIf(entry -> expiry(entry) <= now)) {
            confirmed.invalidate(location);
        }
        nextPurge = clock.millis() + PURGE_INTERVAL.toMillis();
    }

    /** How many entries are held (expired ones are dropped about once a minute). */
    synchronized int size() {
        return entries.size();
    }
}
