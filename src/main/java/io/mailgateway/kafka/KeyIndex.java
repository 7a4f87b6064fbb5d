package io.mailgateway.kafka;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
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

    private final Function<String, Hashes> hashes;
    private final boolean withValues;

    // hash -> location, hash -> fingerprint of the key in that slot, hash -> the owner's value (only withValues).
    private final LongLongHashMap locations = new LongLongHashMap();
    private final LongLongHashMap fingerprints = new LongLongHashMap();
    private final LongLongHashMap values;
    // Full key -> {location, value} of keys whose hash slot another key held when they were written.
    private final Map<String, long[]> overflow = new HashMap<>();

    /** An index hashing keys with {@link CompactedTopicFollower#hash}; {@code withValues}: keep a long per key. */
    public KeyIndex(boolean withValues) {
        this(withValues, KeyIndex::sha256);
    }

    /** With other hash functions: tests force collisions with tiny ones. */
    public KeyIndex(boolean withValues, ToLongFunction<String> hash, ToLongFunction<String> fingerprint) {
        this(withValues, key -> new Hashes(hash.applyAsLong(key), fingerprint.applyAsLong(key)));
    }

    private KeyIndex(boolean withValues, Function<String, Hashes> hashes) {
        this.withValues = withValues;
        this.hashes = hashes;
        this.values = withValues ? new LongLongHashMap() : null;
    }

    /** The key's slot: what {@link #forgetRecord} takes, and what a VERP return path carries of a request id. */
    public long hash(String key) {
        return hashes.apply(key).slot();
    }

    /** The location of the key's entry, or {@link #NONE}. */
    public long location(String key) {
        return location(key, hashes.apply(key));
    }

    private long location(String key, Hashes hashed) {
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            return spilled[0];
        }
        return holds(hashed) ? locations.get(hashed.slot()) : NONE;
    }

    /** The value of the key's entry, or {@link #NONE}. */
    public long value(String key) {
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            return spilled[1];
        }
        Hashes hashed = hashes.apply(key);
        return holds(hashed) ? values.get(hashed.slot()) : NONE;
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
        Hashes hashed = hashes.apply(key);
        if (newerKnown(key, hashed, location)) {
            return false;
        }
        long[] spilled = overflow.isEmpty() ? null : overflow.get(key);
        if (spilled != null) {
            spilled[0] = location;
            spilled[1] = value;
            return true;
        }
        long slot = hashed.slot();
        long print = hashed.print();
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
        Hashes hashed = hashes.apply(key);
        if (newerKnown(key, hashed, location)) {
            return false;
        }
        if (overflow.remove(key) == null && holds(hashed)) {
            dropSlot(hashed.slot());
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

    /** Bits 64 to 127 of the key's SHA-256: independent of its first 64, {@link CompactedTopicFollower#hash}. */
    static long fingerprint(String key) {
        return sha256(key).print();
    }

    // One digest gives both halves: an index operation hashes its key once.
    private static Hashes sha256(String key) {
        ByteBuffer digest = ByteBuffer.wrap(CompactedTopicFollower.sha256(key));
        return new Hashes(digest.getLong(0), digest.getLong(8));
    }

    private boolean holds(Hashes hashed) {
        return locations.containsKey(hashed.slot()) && fingerprints.get(hashed.slot()) == hashed.print();
    }

    private boolean newerKnown(String key, Hashes hashed, long location) {
        long known = location(key, hashed);
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

    /** A key's slot and its fingerprint. */
    private record Hashes(long slot, long print) {
    }
}
