package io.mailgateway.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.ToLongFunction;

import com.carrotsearch.hppc.LongArrayList;
import com.carrotsearch.hppc.LongLongHashMap;
import com.carrotsearch.hppc.cursors.LongLongCursor;

/**
 * Where the latest record of each key of a compacted topic is, and an optional long per key, without holding the
 * keys: a 64-bit hash finds a key's slot and a second, independent 64-bit fingerprint tells on every write whether
 * the slot holds that key or another one with the same hash, in which case the newcomer is kept by its full key in
 * a small overflow map, so a collision never overwrites another key's entry. A match is still only as exact as the
 * two hashes: owners confirm a hit against the full key of the record at its {@link #location location}.
 *
 * <p>Not thread-safe: owners guard it with their own lock.
 */
public final class KeyIndex {

    /** What {@link #location} and {@link #value} answer for a key that has no entry. */
    public static final long NONE = -1;

    private static final ThreadLocal<MessageDigest> SHA_512 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is part of every Java runtime", e);
        }
    });

    private final ToLongFunction<String> hash;
    private final ToLongFunction<String> fingerprint;
    private final boolean withValues;

    // hash -> location, hash -> fingerprint of the key in that slot, hash -> the owner's value (only withValues).
    private final LongLongHashMap locations = new LongLongHashMap();
    private final LongLongHashMap fingerprints = new LongLongHashMap();
    private final LongLongHashMap values;
    // Full key -> {location, value} of keys whose hash slot another key held when they were written.
    private final Map<String, long[]> overflow = new HashMap<>();

    /** An index hashing keys with {@link CompactedTopicFollower#hash}; {@code withValues}: keep a long per key. */
    public KeyIndex(boolean withValues) {
        this(withValues, CompactedTopicFollower::hash, KeyIndex::fingerprint);
    }

    /** With other hash functions: tests force collisions with tiny ones. */
    public KeyIndex(boolean withValues, ToLongFunction<String> hash, ToLongFunction<String> fingerprint) {
        this.withValues = withValues;
        this.hash = hash;
        this.fingerprint = fingerprint;
        this.values = withValues ? new LongLongHashMap() : null;
    }

    /** The key's slot: what {@link #forgetRecord} takes, and what a VERP return path carries of a request id. */
    public long hash(String key) {
        return hash.applyAsLong(key);
    }

    /** The location of the key's entry, or {@link #NONE}. */
    public long location(String key) {
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            return spilled[0];
        }
        long slot = hash(key);
        return holds(slot, key) ? locations.get(slot) : NONE;
    }

    /** The value of the key's entry, or {@link #NONE}. */
    public long value(String key) {
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            return spilled[1];
        }
        long slot = hash(key);
        return holds(slot, key) ? values.get(slot) : NONE;
    }

    /** The location in this slot when no overflow entry shares it, else {@link #NONE}: the caller checks the key. */
    public long locationOfSlot(long slot) {
        return locations.containsKey(slot) ? locations.get(slot) : NONE;
    }

    /**
     * Records the key's latest record, unless the entry it has is of a later record in the same partition (an older
     * record read late never undoes a newer one); says whether it did.
     */
    public boolean put(String key, long location, long value) {
        if (newerKnown(key, location)) {
            return false;
        }
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            spilled[0] = location;
            spilled[1] = value;
            return true;
        }
        long slot = hash(key);
        long print = fingerprint.applyAsLong(key);
        if (locations.containsKey(slot) && fingerprints.get(slot) != print) {
            overflow.put(key, new long[] {location, value});
            return true;
        }
        locations.put(slot, location);
        fingerprints.put(slot, print);
        if (withValues) {
            values.put(slot, value);
        }
        return true;
    }

    /** Drops the key's entry for a tombstone at {@code location}, unless the entry is of a later record. */
    public boolean remove(String key, long location) {
        if (newerKnown(key, location)) {
            return false;
        }
        if (overflow.remove(key) == null) {
            long slot = hash(key);
            if (holds(slot, key)) {
                dropSlot(slot);
            }
        }
        return true;
    }

    /** Drops the entry of whichever key has its latest record at {@code location} in this slot, if any still does. */
    public boolean forgetRecord(long slot, long location) {
        if (locations.containsKey(slot) && locations.get(slot) == location) {
            dropSlot(slot);
            return true;
        }
        return !overflow.isEmpty() && overflow.values().removeIf(entry -> entry[0] == location);
    }

    /** Drops every entry whose value matches; returns the locations of the dropped entries. */
    public long[] removeIf(LongPredicate byValue) {
        LongArrayList dropped = new LongArrayList();
        LongArrayList slots = new LongArrayList();
        for (LongLongCursor entry : values) {
            if (byValue.test(entry.value)) {
                slots.add(entry.key);
            }
        }
        for (int i = 0; i < slots.size(); i++) {
            dropped.add(locations.get(slots.get(i)));
            dropSlot(slots.get(i));
        }
        for (Iterator<long[]> spilled = overflow.values().iterator(); spilled.hasNext();) {
            long[] entry = spilled.next();
            if (byValue.test(entry[1])) {
                dropped.add(entry[0]);
                spilled.remove();
            }
        }
        return dropped.toArray();
    }

    /** How many keys have an entry. */
    public int size() {
        return locations.size() + overflow.size();
    }

    /** How many entries are held by their full key because their hash collided. */
    public int collisions() {
        return overflow.size();
    }

    /** The heap the primitive maps take, as they account it (the overflow map holds only colliding keys). */
    public long ramBytesAllocated() {
        return locations.ramBytesAllocated() + fingerprints.ramBytesAllocated()
                + (withValues ? values.ramBytesAllocated() : 0);
    }

    /** Bits 64 to 127 of the key's SHA-512: independent of {@link CompactedTopicFollower#hash}, a SHA-256. */
    static long fingerprint(String key) {
        return ByteBuffer.wrap(SHA_512.get().digest(key.getBytes(StandardCharsets.UTF_8))).getLong(8);
    }

    private boolean holds(long slot, String key) {
        return locations.containsKey(slot) && fingerprints.get(slot) == fingerprint.applyAsLong(key);
    }

    private boolean newerKnown(String key, long location) {
        long known = location(key);
        return known != NONE && CompactedTopicFollower.partition(known) == CompactedTopicFollower.partition(location)
                && known > location;
    }

    private void dropSlot(long slot) {
        locations.remove(slot);
        fingerprints.remove(slot);
        if (withValues) {
            values.remove(slot);
        }
    }
}
