package io.mailgateway.config;

import java.time.Duration;

/**
 * How long an address stays suppressed when its entry does not say.
 *
 * <p>Owns {@code gateway.suppression.ttl}; the topic is one of {@link Topics}.
 */
public record SuppressionSettings(Duration timeToLive) {

    public static SuppressionSettings from(Settings source) {
        return new SuppressionSettings(source.duration("gateway.suppression.ttl"));
    }
}
