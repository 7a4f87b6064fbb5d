package io.mailgateway.config;

import java.time.Clock;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;

import io.mailgateway.bounce.ReportParser;
import io.mailgateway.events.EventPublisher;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.result.OffsetCommitter;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.result.ResultWriter;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.suppress.SuppressionList;
import io.mailgateway.tenant.Tenants;

/**
 * Builds the beans the routes call, capability by capability, from the gateway's settings (application.properties
 * and the environment).
 */
// Camel Main calls configure(CamelContext) once, after the properties are loaded and before the routes are created,
// so every bean a route or camel-kafka's consumer looks up by name is bound by then. The order below is the order of
// need: a bean is handed to those built after it. A bean replaced in the registry afterwards (tests do, with
// @ReplaceInRegistry) is what the routes call, while beans built here keep the one they were handed.
public class GatewayConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        try {
            build(context);
        } catch (RuntimeException e) {
            // The setting's own message stays the root cause, where operators and start-up checks look for it.
            throw new RuntimeCamelException("The gateway could not be configured", e);
        }
    }

    private void build(CamelContext context) throws Exception {
        // Every capability reads and checks its settings before any bean exists: a gateway that cannot run says so
        // before it connects anywhere.
        Settings settings = Settings.of(context);
        KafkaSettings kafka = KafkaSettings.from(settings);
        Topics topics = Topics.from(settings);
        RequestSettings request = RequestSettings.from(settings);
        TenantSettings tenant = TenantSettings.from(settings);
        ProfileSettings profile = ProfileSettings.from(settings);
        RenderSettings render = RenderSettings.from(settings);
        RelaySettings relay = RelaySettings.from(settings);
        BounceSettings bounce = BounceSettings.from(settings);
        RetrySettings retry = RetrySettings.from(settings);
        IdempotencySettings idempotency = IdempotencySettings.from(settings);
        SuppressionSettings suppression = SuppressionSettings.from(settings);
        ConsumptionSettings consumption = ConsumptionSettings.from(settings);
        HttpSettings http = HttpSettings.from(settings);
        DkimSettings dkim = DkimSettings.from(settings);
        SenderCheckSettings senderChecks = SenderCheckSettings.from(settings);
        BounceMailboxSettings bounceMailbox = BounceMailboxSettings.from(settings);

        Clock clock = Clock.systemUTC();
        Wiring wiring = new Wiring(context, MetricsConfiguration.metrics(context));
        wiring.bind("gatewayMetrics", wiring.metrics());
        MetricsConfiguration.bindReadiness(wiring);
        wiring.bind("requestParser", new RequestParser(request.limits(), request.allowedHeaders()));
        Tenants tenants = TenantConfiguration.bind(wiring, tenant, topics);
        ProfileConfiguration.bind(wiring, profile);
        RenderPermits renderPermits = RenderConfiguration.bind(wiring, render, clock);
        ReturnPaths returnPaths = BounceConfiguration.bind(wiring, bounce, tenants);
        RelayConfiguration.bind(wiring, relay, kafka, tenants, returnPaths);
        DkimConfiguration.bind(wiring, dkim, tenants, clock);

        ResultFactory results = wiring.bind("results", new ResultFactory(clock));
        wiring.bind("resultWriter", new ResultWriter());
        wiring.bind("offsets", new OffsetCommitter());
        // From here on, beans are Kafka clients of their own.
        RetryConfiguration.bind(wiring, retry, kafka, topics, results, clock);
        CompletedRequests completedRequests = IdempotencyConfiguration.bind(wiring, idempotency, kafka, topics, clock);
        SuppressionList suppressionList = SuppressionConfiguration.bind(wiring, suppression, kafka, topics, clock);
        ConsumptionConfiguration.bind(wiring, consumption, kafka, topics, tenants, renderPermits, completedRequests,
                this);
        EventPublisher events = EventsConfiguration.bind(wiring, kafka, topics);
        HttpConfiguration.bind(wiring, http, render.templatesFolder(), tenants, suppressionList, events::publish,
                clock);
        BounceMailboxConfiguration.bind(wiring, bounceMailbox, kafka, topics, completedRequests, suppressionList,
                events, returnPaths, new ReportParser()::parse, clock);
        MetricsConfiguration.bindConsumerLag(wiring, kafka, topics, tenants);
        SenderCheckConfiguration.bind(wiring, senderChecks, relay);
    }
}
