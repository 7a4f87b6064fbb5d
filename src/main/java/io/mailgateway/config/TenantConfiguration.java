package io.mailgateway.config;

import io.mailgateway.enrich.Enricher;
import io.mailgateway.tenant.Tenants;

/** Reads the tenants once and fills in each request's sender: see {@link TenantSettings} for its settings. */
final class TenantConfiguration {

    private TenantConfiguration() {
    }

    /** @return the tenants, which relay selection, rate limits and bulk mail use too: read once, shared */
    static Tenants bind(Wiring wiring, TenantSettings settings) {
        Tenants tenants = settings.tenantsFile().map(Tenants::load).orElseGet(Tenants::none);
        wiring.bind("enricher", new Enricher(tenants, settings.defaultFrom().orElse(null),
                settings.allowedSenderDomains()));
        return tenants;
    }
}
