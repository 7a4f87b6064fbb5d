package io.mailgateway.config;

import org.apache.camel.CamelContext;
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
}
