package io.mailgateway.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.mailgateway.result.DeliveryResult;

/** The gateway's own metrics, beside Camel's per-route ones, on the same Prometheus endpoint. */
public final class GatewayMetrics {

    private final Supplier<MeterRegistry> registryLookup;
    private final List<Consumer<MeterRegistry>> pendingGauges = new ArrayList<>();
    // Set once Camel's registry exists; read without a lock on every message.
    private volatile MeterRegistry registry;

    /** @param registryLookup finds the registry Camel serves; it exists only once Camel has started */
    public GatewayMetrics(Supplier<MeterRegistry> registryLookup) {
        this.registryLookup = registryLookup;
    }

    /** Counts a published result by status and reason category. */
    public void published(DeliveryResult result) {
        Counter.builder("mail.gateway.results")
                .description("Delivery results published, by status and reason")
                .tag("status", result.status().name())
                .tag("reason", result.reason() == null ? "none" : result.reason().category())
                .tag("replay", String.valueOf(Boolean.TRUE.equals(result.replay())))
                .register(registry())
                .increment();
    }

    /** Records how long one SMTP submission attempt took, by outcome ("accepted" or a reason category). */
    public void submission(String outcome, Duration duration) {
        Timer.builder("mail.gateway.smtp.submission")
                .description("SMTP submission attempts: connect, TLS, AUTH and the transaction")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry())
                .record(duration);
    }

    /** Counts a message (or a part of its recipients) that went to the next relay because this one was unreachable. */
    public void failover(String from, String to) {
        Counter.builder("mail.gateway.relay.failovers")
                .description("Submissions that moved to the next relay of their list because a relay was unreachable")
                .tag("from", from)
                .tag("to", to)
                .register(registry())
                .increment();
    }

    /** Counts a partition sent back to its first unfinished request: the relay refused the gateway, a request was stuck. */
    public void rewind() {
        Counter.builder("mail.gateway.consumer.rewinds")
                .description("Partitions of the request topic sent back to their first unfinished request and paused")
                .register(registry())
                .increment();
    }

    /** Counts a profile lookup by outcome: found, absent (404), failed, or cached (answered without a request). */
    public void profileLookup(String outcome) {
        Counter.builder("mail.gateway.profile.lookups")
                .description("Recipient profile lookups, by outcome; cached ones made no request")
                .tag("outcome", outcome)
                .register(registry())
                .increment();
    }

    /** Exposes a value that is read on every scrape, such as the retry backlog. */
    public synchronized <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Consumer<MeterRegistry> gauge = r -> Gauge.builder(name, source, value).description(description).register(r);
        if (registry == null) {
            pendingGauges.add(gauge);
        } else {
            gauge.accept(registry);
        }
    }

    private MeterRegistry registry() {
        MeterRegistry bound = registry;
        return bound != null ? bound : bindRegistry();
    }

    private synchronized MeterRegistry bindRegistry() {
        if (registry == null) {
            MeterRegistry found = registryLookup.get();
            pendingGauges.forEach(gauge -> gauge.accept(found));
            pendingGauges.clear();
            registry = found;
        }
        return registry;
    }
}
