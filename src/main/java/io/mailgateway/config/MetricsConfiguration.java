package io.mailgateway.config;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
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
     * Camel's (context, routes, consumers) once Camel has fully started.
     */
    static void bindReadiness(Wiring wiring) throws Exception {
        wiring.metrics().readinessFrom(() -> readiness(wiring.context()), System::nanoTime);
        wiring.context().addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // not yet: Camel's consumer checks exist once the routes have started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                readiness(started).keySet().stream().sorted().forEach(wiring.metrics()::readinessCheck);
                wiring.metrics().bindIfReady();
            }
        });
    }

    private static Map<String, Boolean> readiness(CamelContext context) {
        Map<String, Boolean> states = new HashMap<>();
        for (HealthCheck.Result result : HealthCheckHelper.invokeReadiness(context)) {
            states.put(result.getCheck().getId(), result.getState() == HealthCheck.State.UP);
        }
        return states;
    }
}
