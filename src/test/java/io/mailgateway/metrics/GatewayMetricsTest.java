package io.mailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Poison records are counted by topic, also those met before Camel's registry exists. */
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
}
