package io.mailgateway.config;

import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/** Builds the VERP return paths the sender and the bounce intake share: see {@link BounceSettings}. */
final class BounceConfiguration {

    private BounceConfiguration() {
    }

    static ReturnPaths bind(Wiring wiring, BounceSettings settings, Tenants tenants) {
        return wiring.bind("returnPaths", returnPaths(settings, tenants));
    }

    static ReturnPaths returnPaths(BounceSettings settings, Tenants tenants) {
        if (settings.secretFile().isEmpty()) {
            for (Tenant tenant : tenants.all()) {
                if (tenant.bounceDomain() != null) {
                    throw new IllegalStateException(tenants.where(tenant, "bounceDomain")
                            + " is set, so GATEWAY_BOUNCE_SECRET_FILE must name a file with the key of the return"
                            + " paths (at least " + ReturnPaths.MIN_SECRET_BYTES + " bytes)");
                }
            }
            return ReturnPaths.off();
        }
        try {
            return ReturnPaths.load(settings.secretFile().get(), settings.domain().orElse(null));
        } catch (IllegalStateException e) {
            // ReturnPaths names the file and the size, never the content.
            throw new IllegalStateException("GATEWAY_BOUNCE_SECRET_FILE: " + e.getMessage());
        }
    }
}
