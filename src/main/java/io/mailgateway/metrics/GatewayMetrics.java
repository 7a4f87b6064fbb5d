package io.mailgateway.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import io.mailgateway.result.DeliveryResult;

/** The gateway's own metrics, beside Camel's per-route ones, on the same Prometheus endpoint. */
public final class GatewayMetrics {

    private final Supplier<MeterRegistry> registryLookup;
    private final List<Consumer<MeterRegistry>> pendingGauges = new ArrayList<>();
    // Guarded by "this": poison records met before the registry existed, by topic.
    private final Map<String, Long> pendingPoisonRecords = new HashMap<>();
    // Set once Camel's registry exists; read without a lock on every message.
    private volatile MeterRegistry registry;
    // The meters counted for every message, found by their tags: building and registering a meter anew for each
    // message cost more than the count itself. Tags come from closed sets (statuses, reason categories, outcomes).
    private final Map<ResultTags, Counter> resultCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencyTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> submissionTimers = new ConcurrentHashMap<>();

    private final Set<String> readinessChecks = ConcurrentHashMap.newKeySet();

    private record ResultTags(String status, String reason, boolean replay) {
    }

    /** @param registryLookup finds the registry Camel serves; it exists only once Camel has started */
    public GatewayMetrics(Supplier<MeterRegistry> registryLookup) {
        this.registryLookup = registryLookup;
    }

    /** Counts a published result by status and reason category. */
    public void published(DeliveryResult result) {
        String status = result.status().name();
        String reason = result.reason() == null ? "none" : result.reason().category();
        boolean replay = Boolean.TRUE.equals(result.replay());
        resultCounters.computeIfAbsent(new ResultTags(status, reason, replay), tags -> Counter
                .builder("mail.gateway.results")
                .description("Delivery results published, by status and reason")
                .tag("status", tags.status())
                .tag("reason", tags.reason())
                .tag("replay", String.valueOf(tags.replay()))
                .register(registry()))
                .increment();
        if (result.terminal() && !replay) {
            Duration latency = latency(result);
            if (latency != null) {
                latencyTimers.computeIfAbsent(status, s -> Timer.builder("mail.gateway.result.latency")
                        .description("From consuming a request to its terminal result, retries included, by status")
                        .tag("status", s)
                        .publishPercentileHistogram()
                        .register(registry()))
                        .record(latency);
            }
        }
    }

    // Null when either instant is missing or unreadable: such a result is counted but not timed.
    private static Duration latency(DeliveryResult result) {
        if (result.receivedAt() == null || result.completedAt() == null) {
            return null;
        }
        try {
            Duration latency = Duration.between(Instant.parse(result.receivedAt()), Instant.parse(result.completedAt()));
            return latency.isNegative() ? Duration.ZERO : latency;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Records how long one SMTP submission attempt took, by outcome ("accepted" or a reason category). */
    public void submission(String outcome, Duration duration) {
        submissionTimers.computeIfAbsent(outcome, o -> Timer.builder("mail.gateway.smtp.submission")
                .description("SMTP submission attempts: connect, TLS, AUTH and the transaction")
                .tag("outcome", o)
                .publishPercentileHistogram()
                .register(registry()))
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

    /**
     * Counts a message of the bounce mailbox by what became of it: handled, ignored (nothing to report),
     * unclassified (no report) or unmatched (names no request of the gateway).
     */
    public void bounceReport(String outcome) {
        Counter.builder("mail.gateway.bounce.reports")
                .description("Messages of the bounce mailbox, by what became of them")
                .tag("outcome", outcome)
                .register(registry())
                .increment();
    }

    /**
     * Counts a record skipped as unusable in a topic the gateway reads itself (suppression list, completed requests,
     * retries). Followers may meet one before Camel's registry exists: such counts wait and are added once it does.
     */
    public void poisonRecord(String topic) {
        MeterRegistry bound = registry;
        if (bound == null) {
            synchronized (this) {
                bound = registry != null ? registry : lookupRegistry();
                if (bound == null) {
                    pendingPoisonRecords.merge(topic, 1L, Long::sum);
                    return;
                }
                bindRegistry();
            }
        }
        poisonRecords(bound, topic).increment();
    }

    private static Counter poisonRecords(MeterRegistry registry, String topic) {
        return Counter.builder("mail.gateway.poison.records")
                .description("Records skipped as unusable (not JSON, wrong types, values out of range, too large)"
                        + " in topics the gateway reads itself")
                .tag("topic", topic)
                .register(registry);
    }

    /** Binds Camel's registry if it exists now, so that counts made before it existed show without further meters. */
    public void bindIfReady() {
        if (registry == null && lookupRegistry() != null) {
            bindRegistry();
        }
    }

    private MeterRegistry lookupRegistry() {
        try {
            return registryLookup.get();
        } catch (RuntimeException notYet) {
            return null;
        }
    }

    /** Exposes a value that is read on every scrape, such as the retry backlog. */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        gauge(name, description, Tags.empty(), source, value);
    }

    /** The same, one series per tag set, e.g. one per relay. */
    public synchronized <T> void gauge(String name, String description, Tags tags, T source,
            ToDoubleFunction<T> value) {
        // Held strongly: Micrometer keeps only a weak reference by default, and a source that only the gauge holds
        // (such as a readiness check's lambda) would be collected and read as NaN.
        Consumer<MeterRegistry> gauge = r -> Gauge.builder(name, source, value).description(description).tags(tags)
                .strongReference(true).register(r);
        if (registry == null) {
            pendingGauges.add(gauge);
        } else {
            gauge.accept(registry);
        }
    }

    /**
     * A gauge for one readiness check, 1 while it is UP and 0 otherwise, so an alert names the failing check. Read on
     * every scrape; a check of the same id registered again keeps its first gauge.
     */
    public void readinessCheck(String check, BooleanSupplier up) {
        // The gateway's own checks are bound when they are registered and again with Camel's once all exist.
        if (!readinessChecks.add(check)) {
            return;
        }
        gauge("mail.gateway.readiness", "Readiness checks: 1 while UP, 0 while DOWN", Tags.of("check", check), up,
                u -> u.getAsBoolean() ? 1 : 0);
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
            pendingPoisonRecords.forEach((topic, count) -> poisonRecords(found, topic).increment(count));
            pendingPoisonRecords.clear();
            registry = found;
        }
        return registry;
    }
}
