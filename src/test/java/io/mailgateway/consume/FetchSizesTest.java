package io.mailgateway.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultHeaderFilterStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

/**
 * The request consumer fetches bytes as the settings say, not Kafka's own 50 MiB per poll: what a batch holds in
 * memory follows from GATEWAY_FETCH_MAX_BYTES and GATEWAY_MAX_PARTITION_FETCH_BYTES.
 */
class FetchSizesTest {

    @Test
    void theRequestConsumerFetchesAtMostTheConfiguredBytes() throws Exception {
        KafkaEndpoint endpoint = requestConsumer(new Properties());

        assertThat(endpoint.getConfiguration().getFetchMaxBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(endpoint.getConfiguration().getMaxPartitionFetchBytes()).isEqualTo(1024 * 1024);
    }

    @Test
    void theFetchSizesAreSettings() throws Exception {
        Properties overrides = new Properties();
        overrides.put("gateway.kafka.fetch-max-bytes", "4194304");
        overrides.put("gateway.kafka.max-partition-fetch-bytes", "262144");

        KafkaEndpoint endpoint = requestConsumer(overrides);

        assertThat(endpoint.getConfiguration().getFetchMaxBytes()).isEqualTo(4194304);
        assertThat(endpoint.getConfiguration().getMaxPartitionFetchBytes()).isEqualTo(262144);
    }

    /** The endpoint routes/consume-requests.camel.yaml consumes from, with the gateway's properties resolved. */
    private static KafkaEndpoint requestConsumer(Properties overrides) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            context.getPropertiesComponent().setOverrideProperties(overrides);
            context.getRegistry().bind("dropAllHeaders", HeaderFilterStrategy.class, new DefaultHeaderFilterStrategy());
            context.getRegistry().bind("requestCommits", KafkaManualCommitFactory.class,
                    new DefaultKafkaManualCommitFactory());
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:routes/consume-requests.camel.yaml"));
            String uri = ((ModelCamelContext) context).getRouteDefinition("consume-requests").getInput().getEndpointUri();
            return context.getEndpoint(uri, KafkaEndpoint.class);
        }
    }
}
