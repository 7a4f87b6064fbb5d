package io.mailgateway.config;

import java.time.Clock;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;

import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.metrics.GatewayMetrics;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.result.OffsetCommitter;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.result.ResultWriter;
import io.mailgateway.suppress.SuppressionList;
import io.mailgateway.tenant.Tenants;

/**
 * Builds the beans the routes call, capability by capability, from the gateway's settings (application.properties
 * and the environment).
 */
// Camel Main calls configure(CamelContext) once, after the properties are loaded and before the routes are created,
// so every bean a route or camel-kafka's consumer looks up by name is bound by then. The order below is the order of
// need: a bean is handed to those built after it.
public class GatewayConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        try {
            build(context);
        } catch (RuntimeException e) {
            // The setting's own message stays the root cause, where operators and start-up checks look for it.
            throw new RuntimeCamelException("The gateway cannot start with these settings", e);
        }
    }

    private void build(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        Clock clock = Clock.systemUTC();
        GatewayMetrics metrics = MetricsConfiguration.metrics(context);
        Wiring wiring = new Wiring(context, metrics);
        KafkaSettings kafka = KafkaSettings.from(settings);
        Topics topics = Topics.from(settings);

        MetricsConfiguration.bind(wiring, kafka, topics);
        RequestSettings request = RequestSettings.from(settings);
        wiring.bind("requestParser", new RequestParser(request.limits(), request.allowedHeaders()));
        Tenants tenants = TenantConfiguration.bind(wiring, TenantSettings.from(settings));
        ProfileConfiguration.bind(wiring, ProfileSettings.from(settings));
        RenderSettings render = RenderSettings.from(settings);
        RenderPermits renderPermits = RenderConfiguration.bind(wiring, render, clock);
        RelayConfiguration.bind(wiring, RelaySettings.from(settings), tenants);

        ResultFactory results = wiring.bind("results", new ResultFactory(clock));
        wiring.bind("resultWriter", new ResultWriter());
        wiring.bind("offsets", new OffsetCommitter());
        RetryConfiguration.bind(wiring, RetrySettings.from(settings), kafka, topics, results, clock);

        CompletedRequests completedRequests = IdempotencyConfiguration.bind(wiring, IdempotencySettings.from(settings),
                kafka, topics, clock);
        SuppressionList suppressionList = SuppressionConfiguration.bind(wiring, SuppressionSettings.from(settings),
                kafka, topics, clock);
        ConsumptionConfiguration.bind(wiring, ConsumptionSettings.from(settings), kafka, topics, renderPermits,
                completedRequests, this);
        HttpConfiguration.bind(wiring, HttpSettings.from(settings), render.templatesFolder(), tenants, suppressionList,
                clock);
    }
}
