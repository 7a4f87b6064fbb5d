package io.mailgateway.config;

import java.time.Duration;

/**
 * How long and how much of the completed requests the gateway remembers, so that a request id seen again gets its
 * first result instead of a second mail.
 *
 * <p>Owns {@code gateway.idempotency.*}; the state topic is one of {@link Topics}.
 */
public record IdempotencySettings(Duration window, long cacheBytes) {

    public static IdempotencySettings from(Settings source) {
        return new IdempotencySettings(source.duration("gateway.idempotency.window"),
                source.whole("gateway.idempotency.cache-bytes"));
    }
}
