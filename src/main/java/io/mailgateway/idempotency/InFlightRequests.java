package io.mailgateway.idempotency;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.camel.Exchange;
import io.mailgateway.kafka.StateNotReadyException;

/**
 * Request ids being handled right now. Records are handled in parallel, and a producer that retries can put one
 * id twice in a batch: the second waits for the first to finish and then finds its result, instead of sending a
 * second mail.
 */
public final class InFlightRequests {

    private static final String CLAIMED = "mailGatewayClaimedId";

    private final ConcurrentHashMap<String, CountDownLatch> inFlight = new ConcurrentHashMap<>();
    private final long maxWaitMillis;
    private final Consumer<Exchange> whenFinished;

    /** @param maxWaitMillis how long a duplicate waits for the first; longer than any one attempt */
    public InFlightRequests(long maxWaitMillis) {
        this(maxWaitMillis, exchange -> { });
    }

    /**
     * @param whenFinished what else a finished request gives back (its turn to render a large mail); called by
     *                     {@link #release} for every request, since that is the one step the routes run once an
     *                     attempt is over, whether it failed or not
     */
    public InFlightRequests(long maxWaitMillis, Consumer<Exchange> whenFinished) {
        this.maxWaitMillis = maxWaitMillis;
        this.whenFinished = whenFinished;
    }

    /** Waits while another exchange handles this id, then holds it for this exchange until {@link #release}. */
    public void claim(String id, Exchange exchange) throws InterruptedException {
        CountDownLatch mine = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        while (true) {
            CountDownLatch other = inFlight.putIfAbsent(id, mine);
            if (other == null) {
                exchange.setProperty(CLAIMED, id);
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !other.await(left, TimeUnit.NANOSECONDS)) {
                throw new StateNotReadyException("another copy of the request is still being handled");
            }
        }
    }

    /** Lets the next exchange with the same id go on; does nothing more when this exchange holds no id. */
    public void release(Exchange exchange) {
        whenFinished.accept(exchange);
        String id = exchange.getProperty(CLAIMED, String.class);
        if (id != null) {
            exchange.removeProperty(CLAIMED);
            CountDownLatch latch = inFlight.remove(id);
            if (latch != null) {
                latch.countDown();
            }
        }
    }

    /** How many ids are being handled now. */
    public int size() {
        return inFlight.size();
    }
}
