package io.mailgateway.render;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns for renders that grow large. Any render may hold up to {@code freeBytes} of rendered text; past that it
 * needs one of {@code largeRenders} turns, and waits for one at that size. So the parallel sends of an instance hold
 * at most parallel-sends × freeBytes + largeRenders × the message size limit of rendered text, however many requests
 * with looping templates arrive together. Each request gets a {@link Turn}; a turn it took is given back when the
 * request is finished ({@link #release(Turn)}, called by the routes), since its rendered text lives until the mail
 * was sent.
 */
public final class RenderPermits {

    private static final Logger LOG = LoggerFactory.getLogger(RenderPermits.class);
    // Far longer than a render and a send take; reached only if a turn was never given back.
    private static final long MAX_WAIT_SECONDS = 60;

    private final long freeBytes;
    private final Semaphore turns;

    public RenderPermits(long freeBytes, int largeRenders) {
        if (freeBytes < 1) {
            throw new IllegalArgumentException("GATEWAY_LARGE_RENDER_BYTES must be positive but was " + freeBytes);
        }
        if (largeRenders < 1) {
            throw new IllegalArgumentException("GATEWAY_LARGE_RENDERS must be at least 1 but was " + largeRenders);
        }
        this.freeBytes = freeBytes;
        this.turns = new Semaphore(largeRenders, true);
    }

    /** What one request may render; it may take a turn, which {@link #release(Turn)} gives back. */
    public Turn newTurn() {
        return new Turn(this);
    }

    /** Gives back the request's turn, if it took one; the request is finished. Null is allowed (nothing rendered). */
    public void release(Turn turn) {
        if (turn != null && turn.owner == this && turn.held.compareAndSet(true, false)) {
            turns.release();
        }
    }

    /** How many large renders may start now; for tests and metrics. */
    public int availableTurns() {
        return turns.availablePermits();
    }

    private void take(Turn turn) {
        try {
            if (turns.tryAcquire(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                turn.held.set(true);
                return;
            }
            LOG.warn("A large render waited {} s for its turn and goes on without one", MAX_WAIT_SECONDS);
        } catch (InterruptedException e) {
            // shutting down: finish this render (it is bounded by the message size) rather than fail the request
            Thread.currentThread().interrupt();
        }
    }

    /** One request's right to render; {@link #none()} for renders that never wait (checks, previews). */
    public static final class Turn {

        private static final Turn NONE = new Turn(null);

        private final RenderPermits owner;
        private final AtomicBoolean held = new AtomicBoolean();

        private Turn(RenderPermits owner) {
            this.owner = owner;
        }

        public static Turn none() {
            return NONE;
        }

        long freeBytes() {
            return owner == null ? Long.MAX_VALUE : owner.freeBytes;
        }

        /** Waits for a turn unless this request has one; called once its render passes {@link #freeBytes()}. */
        void enterLarge() {
            if (owner != null && !held.get()) {
                owner.take(this);
            }
        }
    }
}
