package io.mailgateway.smtp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops consumption while the relay refuses the gateway itself (AUTH or TLS failures): the backlog waits in
 * Kafka instead of turning into FAILED results. Readiness is DOWN meanwhile; a probe resumes consumption as
 * soon as the relay accepts the gateway again.
 */
public final class RelayGuard extends AbstractHealthCheck implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayGuard.class);

    private final GatewayMailSender sender;
    private final List<String> guardedRoutes;
    private final Duration probeInterval;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-guard");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String blockedBecause;

    public RelayGuard(GatewayMailSender sender, List<String> guardedRoutes, Duration probeInterval) {
        super("gateway", "smtp-relay");
        this.sender = sender;
        this.guardedRoutes = List.copyOf(guardedRoutes);
        this.probeInterval = probeInterval;
    }

    /** Throws while the relay refuses the gateway, so no request is attempted (nor committed) meanwhile. */
    public void checkOpen() throws RelayBlockedException {
        String reason = blockedBecause;
        if (reason != null) {
            throw new RelayBlockedException(reason);
        }
    }

    /** The relay refused the gateway: stop consuming until a probe succeeds. */
    public synchronized void block(SmtpSubmissionException cause) {
        if (blockedBecause != null) {
            return;
        }
        blockedBecause = cause.category() + ": " + cause.getMessage();
        LOG.error("The SMTP relay refuses the gateway ({}); consumption stops until it accepts again", blockedBecause);
        // Not on the consumer's own thread: suspending a route waits for the exchange that called us.
        scheduler.execute(() -> suspend(true));
        scheduler.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        try {
            sender.probe();
        } catch (SmtpSubmissionException | RuntimeException stillRefused) {
            LOG.warn("The SMTP relay still refuses the gateway: {}", stillRefused.getMessage());
            scheduler.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        LOG.info("The SMTP relay accepts the gateway again; consumption resumes");
        synchronized (this) {
            blockedBecause = null;
        }
        suspend(false);
    }

    private void suspend(boolean suspend) {
        CamelContext context = getCamelContext();
        for (String routeId : guardedRoutes) {
            try {
                if (context.getRoute(routeId) == null) {
                    continue;
                }
                if (suspend) {
                    context.getRouteController().suspendRoute(routeId);
                } else {
                    context.getRouteController().resumeRoute(routeId);
                }
            } catch (Exception e) {
                LOG.error("Cannot {} route {}", suspend ? "suspend" : "resume", routeId, e);
            }
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason = blockedBecause;
        if (reason == null) {
            builder.up();
        } else {
            builder.message("the SMTP relay refuses the gateway: " + reason).down();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** Thrown instead of attempting a request while the relay refuses the gateway. */
    public static final class RelayBlockedException extends Exception {
        RelayBlockedException(String reason) {
            super("the SMTP relay refuses the gateway (" + reason + "); the request waits in Kafka");
        }
    }
}
