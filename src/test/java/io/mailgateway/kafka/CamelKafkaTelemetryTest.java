package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/**
 * The Kafka clients Camel creates for the routes (the request consumer, the dead-letter producer) do not push their
 * metrics to the brokers, like the gateway's own clients.
 */
class CamelKafkaTelemetryTest {

    private static final String COMPONENT_PREFIX = "camel.component.kafka.";

    @Test
    void theRoutesConsumersAndProducersDoNotPushTheirMetrics() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            configureAsTheGatewayDoes(context);

            KafkaEndpoint requests = context.getEndpoint("kafka:mail.outbound", KafkaEndpoint.class);
            KafkaEndpoint deadLetters = context.getEndpoint("kafka:mail.dlq", KafkaEndpoint.class);

            assertThat(requests.getConfiguration().createConsumerProperties())
                    .containsEntry(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
            assertThat(deadLetters.getConfiguration().createProducerProperties())
                    .containsEntry(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        }
    }

    /** The camel.component.kafka.* settings of application.properties, bound onto the component as Camel Main does. */
    private static void configureAsTheGatewayDoes(CamelContext context) {
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        Properties settings = context.getPropertiesComponent().loadProperties();
        Map<String, Object> options = new HashMap<>();
        settings.stringPropertyNames().stream().filter(key -> key.startsWith(COMPONENT_PREFIX))
                .forEach(key -> options.put(key.substring(COMPONENT_PREFIX.length()),
                        context.resolvePropertyPlaceholders(settings.getProperty(key))));
        KafkaComponent kafka = context.getComponent("kafka", KafkaComponent.class);
        PropertyBindingSupport.build().withCamelContext(context).withTarget(kafka).withProperties(options)
                .withMandatory(true).withIgnoreCase(true).bind();
    }
}
