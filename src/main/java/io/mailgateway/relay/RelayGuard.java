package io.mailgateway.relay;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.mailgateway.smtp.RelayProbe;
import io.mailgateway.smtp.SmtpSubmissionException;

/**
 * Holds consumption while the relay refuses the gateway itself (AUTH or TLS failures): the backlog waits in
 * Kafka instead of turning into FAILED results. Readiness is DOWN meanwhile; a probe lets consumption go on as
 * soon as the relay accepts the gateway again.
 */
public final class RelayGuard extends AbstractHealthCheck implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayGuard.class);
    // Longer waits would hold a consumer thread past what Kafka tolerates without a poll.
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private final Supplier<? extends RelayProbe> sender;
    private final Duration probeInterval;
    // Guarded by "this": the thread the probes run on, one of Camel's, taken when the relay first refuses.
    private ScheduledExecutorService scheduler;
    private boolean closed;
    private String blockedBecause;

    /** @param sender what to probe the relay with, looked up when a probe runs */
    public RelayGuard(Supplier<? extends RelayProbe> sender, Duration probeInterval) {
        super("gateway", "smtp-relay");
        this.sender = sender;
        this.probeInterval = probeInterval;
    }

    /**
     * Returns at once while the relay accepts the gateway. Otherwise waits for it to accept again, and throws
     * if it still refuses after a while, so the request is neither attempted nor committed and is read again.
     */
    public synchronized void checkOpen() throws RelayBlockedException, InterruptedException {
        long deadline = System.nanoTime() + LONGEST_WAIT.toNanos();
        while (blockedBecause != null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RelayBlockedException(blockedBecause);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The relay refused the gateway: hold consumption until a probe succeeds. */
    public synchronized void block(SmtpSubmissionException cause) {
        if (blockedBecause != null) {
            return;
        }
        blockedBecause = cause.category() + ": " + cause.getMessage();
        LOG.error("The SMTP relay refuses the gateway ({}); consumption waits until it accepts again", blockedBecause);
        scheduleProbe();
    }

    private synchronized void scheduleProbe() {
        if (closed) {
            return;
        }
        if (scheduler == null) {
            scheduler = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                    "relay-guard");
        }
        try {
            scheduler.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The gateway is stopping.
        }
    }

    private void probe() {
        boolean accepted = false;
        try {
            sender.get().probe();
            accepted = true;
        } catch (SmtpSubmissionException | RuntimeException stillRefused) {
            LOG.warn("The SMTP relay still refuses the gateway: {}", stillRefused.getMessage());
        } finally {
            // Whatever the probe threw (an Error included), another one follows: a probe that stopped for good
            // would hold consumption for good.
            if (!accepted) {
                scheduleProbe();
            }
        }
        if (!accepted) {
            return;
        }
        LOG.info("The SMTP relay accepts the gateway again; consumption goes on");
        synchronized (this) {
            blockedBecause = null;
            notifyAll();
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason;
        synchronized (this) {
            reason = blockedBecause;
        }
        if (reason == null) {
            builder.up();
        } else {
            builder.message("the SMTP relay refuses the gateway: " + reason).down();
        }
    }

    /** Ends probing at once: a probe waiting for an unreachable relay would hold up shutdown. */
    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    /** Thrown instead of attempting a request while the relay refuses the gateway. */
    public static final class RelayBlockedException extends Exception {
        RelayBlockedException(String reason) {
            super("the SMTP relay refuses the gateway (" + reason + "); the request waits in Kafka");
        }
    }
}
