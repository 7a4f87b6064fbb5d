package io.mailgateway.config;

import io.mailgateway.enrich.ProfileCache;
import io.mailgateway.enrich.ProfileEnrichment;
import io.mailgateway.enrich.ProfileHttpClient;
import io.mailgateway.enrich.ProfileResponses;
import io.mailgateway.enrich.ProfileTrust;

/** The beans of routes/enrich-profile.camel.yaml: see {@link ProfileSettings} for their settings. */
final class ProfileConfiguration {

    private ProfileConfiguration() {
    }

    static void bind(Wiring wiring, ProfileSettings settings) {
        // The lookup bean and the strategy reading the service's answers share one cache.
        ProfileCache cache = new ProfileCache(settings.cacheTtl(), settings.cacheSize());
        wiring.bind("profiles", settings.url()
                .map(url -> new ProfileEnrichment(url, cache, settings.onFailure(),
                        () -> wiring.metrics().profileLookup("cached")))
                .orElseGet(ProfileEnrichment::off));
        wiring.bind("profileResponses",
                new ProfileResponses(cache, settings.timeout(), wiring.metrics()::profileLookup));
        String authorization = settings.authHeaderFile()
                .map(file -> Settings.readSecret(file, "GATEWAY_PROFILE_AUTH_HEADER_FILE")).orElse(null);
        wiring.bind("profileHttpClient", new ProfileHttpClient(authorization, settings.maxBytes(), settings.timeout()));
        wiring.bind("profileTls", new ProfileTrust(settings.trustCaFile().orElse(null)));
    }
}
