package io.mailgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.mailgateway.enrich.ProfileFailurePolicy;
import io.mailgateway.enrich.ProfileUrlTemplate;

/**
 * Profile enrichment: where a recipient's profile is looked up over HTTP, how long it is kept, and what a failed
 * lookup does to the mail. Off while the URL is blank.
 *
 * <p>Owns {@code gateway.profile.*}.
 *
 * @param url            empty: enrichment is off
 * @param authHeaderFile the file holding the Authorization header's value
 */
public record ProfileSettings(Optional<ProfileUrlTemplate> url, ProfileFailurePolicy onFailure, Duration timeout,
        Duration cacheTtl, long cacheSize, long maxBytes, Optional<Path> authHeaderFile, Optional<Path> trustCaFile) {

    public ProfileSettings {
        // every network wait is bounded; a lookup must never hold a mail for long
        if (timeout.toMillis() < 1 || timeout.toMillis() > 60000) {
            throw new IllegalArgumentException("GATEWAY_PROFILE_TIMEOUT_MS must be between 1 and 60000 but was "
                    + timeout.toMillis());
        }
        // the Authorization header would cross the network readable by anyone on the way
        if (authHeaderFile.isPresent() && url.isPresent() && url.get().cleartextOffHost()) {
            throw new IllegalArgumentException("GATEWAY_PROFILE_AUTH_HEADER_FILE is set but GATEWAY_PROFILE_URL is"
                    + " plain http:// to a host other than loopback: use https:// so the Authorization header is"
                    + " never sent in clear text");
        }
    }

    public static ProfileSettings from(Settings source) {
        Optional<ProfileUrlTemplate> url = source.optional("gateway.profile.url").map(ProfileUrlTemplate::parse);
        // The policy matters only with a URL; a gateway without enrichment does not read it.
        ProfileFailurePolicy onFailure = url.isEmpty() ? ProfileFailurePolicy.CONTINUE
                : ProfileFailurePolicy.parse(source.text("gateway.profile.on-failure", "continue"));
        return new ProfileSettings(url, onFailure, source.millis("gateway.profile.timeout-ms", 2000),
                source.duration("gateway.profile.cache-ttl", "10m"), source.whole("gateway.profile.cache-size", 10000),
                source.whole("gateway.profile.max-bytes", 65536),
                source.optionalPath("gateway.profile.auth-header-file"),
                source.optionalPath("gateway.profile.trust-ca-file"));
    }
}
