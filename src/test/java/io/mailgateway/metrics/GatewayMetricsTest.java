package io.mailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.mailgateway.result.DeliveryResult;

/**
 * Poison records are counted by topic, also those met before Camel's registry exists; terminal results are timed
 * from request to result; every readiness check has its own gauge.
 */
class GatewayMetricsTest {

    @Test
    void poisonRecordsAreCountedByTopicAndThoseBeforeTheRegistryExistedAreNotLost() {
        AtomicReference<MeterRegistry> camelRegistry = new AtomicReference<>();
        GatewayMetrics metrics = new GatewayMetrics(camelRegistry::get);

        metrics.poisonRecord("mail.suppressions");
        metrics.poisonRecord("mail.suppressions");
        metrics.bindIfReady();

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        camelRegistry.set(registry);
        metrics.bindIfReady();
        metrics.poisonRecord("mail.state");

        assertThat(registry.get("mail.gateway.poison.records").tag("topic", "mail.suppressions").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("mail.gateway.poison.records").tag("topic", "mail.state").counter().count())
                .isEqualTo(1);
    }

    @Test
    void resultsAreCountedByTheirOwnStatusReasonAndReplayEachTime() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(() -> registry);

        for (int i = 0; i < 3; i++) {
            metrics.published(result(DeliveryResult.Status.SENT, true, null, "2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z"));
        }
        metrics.published(result(DeliveryResult.Status.SENT, true, true, "2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z"));
        metrics.published(result(DeliveryResult.Status.DEFERRED, false, null, "2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z"));

        assertThat(registry.get("mail.gateway.results").tag("status", "SENT").tag("replay", "false").counter().count())
                .isEqualTo(3);
        assertThat(registry.get("mail.gateway.results").tag("status", "SENT").tag("replay", "true").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("mail.gateway.results").tag("status", "DEFERRED").counter().count()).isEqualTo(1);
        assertThat(registry.get("mail.gateway.result.latency").tag("status", "SENT").timer().count()).isEqualTo(3);
    }

    @Test
    void submissionsAreTimedByOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(() -> registry);

        metrics.submission("accepted", java.time.Duration.ofMillis(10));
        metrics.submission("accepted", java.time.Duration.ofMillis(30));
        metrics.submission("relay-unavailable", java.time.Duration.ofMillis(5));

        var accepted = registry.get("mail.gateway.smtp.submission").tag("outcome", "accepted").timer();
        assertThat(accepted.count()).isEqualTo(2);
        assertThat(accepted.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get("mail.gateway.smtp.submission").tag("outcome", "relay-unavailable").timer().count())
                .isEqualTo(1);
    }

    @Test
    void aTerminalResultIsTimedFromReceiptToCompletionAndReplaysAndProgressEventsAreNot() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(() -> registry);

        metrics.published(result(DeliveryResult.Status.SENT, true, null, "2026-12-01T10:00:00Z", "2026-12-01T10:00:02.5Z"));
        metrics.published(result(DeliveryResult.Status.DEFERRED, false, null, "2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z"));
        metrics.published(result(DeliveryResult.Status.SENT, true, true, "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z"));
        metrics.published(result(DeliveryResult.Status.EXPIRED, true, null, "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"));
        metrics.published(result(DeliveryResult.Status.FAILED, true, null, null, "2026-12-02T10:00:00Z"));

        var sent = registry.get("mail.gateway.result.latency").tag("status", "SENT").timer();
        assertThat(sent.count()).isEqualTo(1);
        assertThat(sent.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2500);
        assertThat(registry.get("mail.gateway.result.latency").tag("status", "EXPIRED").timer()
                .totalTime(TimeUnit.HOURS)).isEqualTo(24);
        assertThat(registry.find("mail.gateway.result.latency").tag("status", "DEFERRED").timer()).isNull();
        assertThat(registry.find("mail.gateway.result.latency").tag("status", "FAILED").timer()).isNull();
        assertThat(registry.get("mail.gateway.results").tag("status", "FAILED").counter().count()).isEqualTo(1);
    }

    @Test
    void everyReadinessCheckHasAGaugeThatIsOneWhileUp() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(() -> registry);
        AtomicBoolean relayUp = new AtomicBoolean(true);

        metrics.readinessCheck("smtp-relay", relayUp::get);
        metrics.readinessCheck("suppression-list", () -> false);
        metrics.readinessCheck("smtp-relay", () -> true);
        metrics.bindIfReady();

        assertThat(readiness(registry, "smtp-relay")).isEqualTo(1);
        assertThat(readiness(registry, "suppression-list")).isEqualTo(0);
        relayUp.set(false);
        assertThat(readiness(registry, "smtp-relay")).as("read on every scrape, from the first registration")
                .isEqualTo(0);
    }

    private static double readiness(MeterRegistry registry, String check) {
        return registry.get("mail.gateway.readiness").tag("check", check).gauge().value();
    }

    private static DeliveryResult result(DeliveryResult.Status status, boolean terminal, Boolean replay,
            String receivedAt, String completedAt) {
        return new DeliveryResult("id-1", status, terminal, null, 1, null, List.of(),
                status == DeliveryResult.Status.SENT ? null : new DeliveryResult.Reason("expired", "retries ran out"),
                Map.of(), replay, receivedAt, completedAt);
    }
}
