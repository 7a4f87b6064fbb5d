package io.mailgateway.config;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.enrich.Enricher;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.tenant.TopicTenantCheck;

/**
 * Reads the tenants once, binds each request to the tenant of its topic and fills in its sender: see
 * {@link TenantSettings} for its settings.
 */
final class TenantConfiguration {

    /** The topics routes/consume-requests.camel.yaml subscribes to, comma-separated: computed, not a setting. */
    static final String REQUEST_TOPICS = "gateway.request-topics";

    private static final Logger LOG = LoggerFactory.getLogger(TenantConfiguration.class);

    private TenantConfiguration() {
    }

    /** @return the tenants, which relay selection, rate limits and bulk mail use too: read once, shared */
    static Tenants bind(Wiring wiring, TenantSettings settings, Topics topics) {
        List<String> gatewayTopics = List.of(topics.outbound(), topics.results(), topics.deadLetters(),
                topics.retry(), topics.state(), topics.suppressions(), topics.events());
        Tenants tenants = settings.tenantsFile()
                .map(file -> Tenants.load(file, topics.outbound(), gatewayTopics))
                .orElseGet(() -> Tenants.none(topics.outbound()));
        if (!tenants.isEmpty() && !tenants.topicBound()) {
            LOG.warn("The tenants file binds no tenant to a topic (topicPattern, or a tenant's topic): producers are"
                    + " trusted to name their own tenant in tags.tenant, and any producer of {} may use any tenant",
                    topics.outbound());
        }
        // Set before the routes are built, which subscribe to it.
        wiring.context().getPropertiesComponent().addOverrideProperty(REQUEST_TOPICS,
                String.join(",", tenants.requestTopics()));
        wiring.bind("topicTenantCheck", new TopicTenantCheck(tenants));
        wiring.bind("enricher", new Enricher(tenants, settings.defaultFrom().orElse(null),
                settings.allowedSenderDomains()));
        return tenants;
    }
}
