package io.mailgateway.relay;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.mailgateway.tenant.Tenant.RateLimit;

/**
 * One send-rate limit shared by the gateway instances: each instance grants an equal share of it, one permit per
 * slot, the slots spaced {@code instances × per / messages} apart.
 *
 * <p>A permit reserves the next free slot; a caller whose slot lies further ahead than the longest wait gets none.
 * Slots are the limiter's own state (not a limiter rebuilt per share), so a change of the instance count only
 * changes the spacing after the slot last reserved: no fresh burst at the change, and callers already waiting keep
 * their slots. While the instance count is unknown nothing is granted: the safe side of a limit.
 */
public final class SharedRateLimit {

    private final RateLimit limit;
    private final long longestWaitNanos;
    private final LongSupplier nanoTime;
    private long spacingNanos;
    private int instances;
    // The first slot not yet reserved; Long.MIN_VALUE until one is.
    private long nextSlot = Long.MIN_VALUE;

    /** @param nanoTime the clock the slots are kept on, {@link System#nanoTime()} outside tests */
    public SharedRateLimit(RateLimit limit, Duration longestWait, LongSupplier nanoTime) {
        this.limit = limit;
        this.longestWaitNanos = longestWait.toNanos();
        this.nanoTime = nanoTime;
    }

    public SharedRateLimit(RateLimit limit, Duration longestWait) {
        this(limit, longestWait, System::nanoTime);
    }

    /** Takes the share of one of {@code count} instances; 0 (unknown) grants nothing until a count comes. */
    public synchronized void shareAmong(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("an instance count cannot be negative but was " + count);
        }
        instances = count;
        spacingNanos = count == 0 ? 0 : limit.interval().toNanos() * count;
    }

    public synchronized int instances() {
        return instances;
    }

    /**
     * Reserves the next slot if it comes within the longest wait.
     *
     * @return the slot (on the limiter's clock) the caller may send at, or empty when none comes in time
     */
    synchronized OptionalLong reserve() {
        if (instances == 0) {
            return OptionalLong.empty();
        }
        long now = nanoTime.getAsLong();
        long slot = nextSlot == Long.MIN_VALUE || nextSlot - now < 0 ? now : nextSlot;
        if (slot - now > longestWaitNanos) {
            return OptionalLong.empty();
        }
        nextSlot = slot + spacingNanos;
        return OptionalLong.of(slot);
    }

    /** Returns once this instance may send one more message under the limit; false when no permit came in time. */
    public boolean acquire() {
        OptionalLong reserved = reserve();
        if (reserved.isEmpty()) {
            return false;
        }
        long slot = reserved.getAsLong();
        for (long left = slot - nanoTime.getAsLong(); left > 0; left = slot - nanoTime.getAsLong()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                // The slot stays spent: a later caller never sends earlier than the spacing allows.
                return false;
            }
        }
        return true;
    }

    public RateLimit limit() {
        return limit;
    }
}
