package io.mailgateway.config;

import java.time.Duration;

/**
 * How long and how much of the completed requests the gateway remembers, so that a request id seen again gets its
 * first result instead of a second mail; and how the outcomes it remembers are written.
 *
 * <p>Owns {@code gateway.idempotency.*} and {@code gateway.kafka.linger-ms}; reads {@code gateway.kafka.max-block-ms}
 * and {@code gateway.kafka.max-record-bytes} for the writer of outcomes. The state topic is one of {@link Topics}.
 *
 * @param linger         how long an outcome's record may wait for others to join its batch to the broker
 * @param maxBlock       how long a write may wait for a missing topic or an unreachable broker before it fails
 * @param maxRecordBytes the largest record written (a retry record carries its whole request)
 */
public record IdempotencySettings(Duration window, long cacheBytes, Duration linger, Duration maxBlock,
        int maxRecordBytes) {

    public IdempotencySettings {
        if (linger.isNegative()) {
            throw new IllegalArgumentException("GATEWAY_KAFKA_LINGER_MS must not be negative but was "
                    + linger.toMillis());
        }
    }

    public static IdempotencySettings from(Settings source) {
        return new IdempotencySettings(source.duration("gateway.idempotency.window"),
                source.whole("gateway.idempotency.cache-bytes"), source.millis("gateway.kafka.linger-ms", 5),
                source.millis("gateway.kafka.max-block-ms", 15000), source.integer("gateway.kafka.max-record-bytes"));
    }
}
