package io.mailgateway.idempotency;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.kafka.StateNotReadyException;

/**
 * Request ids being handled right now. Records are handled in parallel, and a producer that retries can put one
 * id twice in a batch: the second waits for the first to finish and then finds its result, instead of sending a
 * second mail.
 */
public final class InFlightRequests {

    /** The id an attempt holds, and what the attempts with the same id wait on. */
    private record Claim(Attempt owner, CountDownLatch finished) {
    }

    private final ConcurrentHashMap<String, Claim> inFlight = new ConcurrentHashMap<>();
    private final long maxWaitMillis;
    private final Consumer<Attempt> whenFinished;

    /** @param maxWaitMillis how long a duplicate waits for the first; longer than any one attempt */
    public InFlightRequests(long maxWaitMillis) {
        this(maxWaitMillis, attempt -> { });
    }

    /**
     * @param whenFinished what else a finished attempt gives back (its turn to render a large mail); called by
     *                     {@link #release} for every attempt, since that is the one step the routes run once an
     *                     attempt is over, whether it failed or not
     */
    public InFlightRequests(long maxWaitMillis, Consumer<Attempt> whenFinished) {
        this.maxWaitMillis = maxWaitMillis;
        this.whenFinished = whenFinished;
    }

    /** Waits while another attempt handles the request's id, then holds it for this attempt until {@link #release}. */
    public void claim(Attempt attempt) throws InterruptedException {
        String id = attempt.request().id();
        Claim mine = new Claim(attempt, new CountDownLatch(1));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        while (true) {
            Claim other = inFlight.putIfAbsent(id, mine);
            if (other == null) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !other.finished().await(left, TimeUnit.NANOSECONDS)) {
                throw new StateNotReadyException("another copy of the request is still being handled");
            }
        }
    }

    /**
     * Lets the next attempt with the same id go on; does nothing more when this attempt holds no id, and nothing at
     * all when there is no attempt (the record never got that far).
     */
    public void release(Attempt attempt) {
        if (attempt == null) {
            return;
        }
        whenFinished.accept(attempt);
        if (attempt.request() == null) {
            return;
        }
        String id = attempt.request().id();
        Claim claim = inFlight.get(id);
        // An attempt that gave up waiting for another copy holds nothing: the other copy's claim stays.
        if (claim != null && claim.owner() == attempt && inFlight.remove(id, claim)) {
            claim.finished().countDown();
        }
    }

    /** How many ids are being handled now. */
    public int size() {
        return inFlight.size();
    }
}
