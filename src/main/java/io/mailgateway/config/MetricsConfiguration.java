package io.mailgateway.config;

import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckRepository;
import org.apache.camel.component.micrometer.MicrometerConstants;
import io.micrometer.core.instrument.MeterRegistry;

import io.mailgateway.metrics.ConsumerLag;
import io.mailgateway.metrics.GatewayMetrics;
import io.mailgateway.tenant.Tenants;

/** The gateway's own meters and the lag of its consumer group; Camel's {@code camel.metrics.*} settings do the rest. */
final class MetricsConfiguration {

    private MetricsConfiguration() {
    }

    static GatewayMetrics metrics(CamelContext context) {
        // Camel's Prometheus support binds its registry at start-up, after the beans exist: looked up when used.
        return new GatewayMetrics(() -> context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class));
    }

    static void bindConsumerLag(Wiring wiring, KafkaSettings kafka, Topics topics, Tenants tenants) throws Exception {
        ConsumerLag lag = wiring.bind("consumerLag",
                new ConsumerLag(kafka.clients(), topics.groupId(), tenants.requestTopics()));
        wiring.startWithCamel(lag);
        wiring.metrics().gauge("mail.gateway.consumer.lag",
                "Requests waiting in the request topics for this consumer group", lag, ConsumerLag::lag);
    }

    /**
     * A gauge per readiness check: the gateway's own as they are registered ({@link Wiring#registerWhenStarted}),
     * Camel's (context, routes, the request consumer) once Camel has fully started and they all exist.
     */
    static void bindReadiness(Wiring wiring) throws Exception {
        wiring.context().addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // not yet: Camel's consumer checks exist once the routes have started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                HealthCheckRegistry registry = HealthCheckRegistry.get(started);
                Stream<HealthCheck> consumers = registry.getRepository("consumers").stream()
                        .flatMap(HealthCheckRepository::stream);
                Stream.concat(registry.stream(), consumers).filter(HealthCheck::isReadiness).distinct()
                        .forEach(check -> readinessGauge(wiring, check));
                wiring.metrics().bindIfReady();
            }
        });
    }

    static void readinessGauge(Wiring wiring, HealthCheck check) {
        wiring.metrics().readinessCheck(check.getId(), () -> check.call().getState() == HealthCheck.State.UP);
    }
}
