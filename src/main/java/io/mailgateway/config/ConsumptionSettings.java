package io.mailgateway.config;

import java.time.Duration;

/**
 * How requests are consumed: how many are handled at once, how long a partition pauses after an unfinished batch,
 * and how often the topics are checked while consumption is held.
 *
 * <p>Owns {@code gateway.parallel-sends}, {@code gateway.kafka.rewind-backoff-*},
 * {@code gateway.kafka.recheck-interval-ms} and reads {@code gateway.kafka.max-poll-interval-ms} (also a consumer
 * setting of the routes) as the longest wait of a duplicate request, and {@code gateway.kafka.fetch-max-bytes} (also
 * one) as the bytes of records in flight.
 */
public record ConsumptionSettings(int parallelSends, long fetchMaxBytes, Duration firstRewindPause,
        Duration longestRewindPause, Duration maxPollInterval, Duration recheckInterval) {

    public ConsumptionSettings {
        if (parallelSends < 1) {
            throw new IllegalArgumentException("GATEWAY_PARALLEL_SENDS must be at least 1 but was " + parallelSends);
        }
        if (recheckInterval.toMillis() < 1) {
            throw new IllegalArgumentException("GATEWAY_KAFKA_RECHECK_INTERVAL_MS must be at least 1 but was "
                    + recheckInterval.toMillis());
        }
    }

    public static ConsumptionSettings from(Settings source) {
        return new ConsumptionSettings(source.integer("gateway.parallel-sends"),
                source.whole("gateway.kafka.fetch-max-bytes"),
                source.millis("gateway.kafka.rewind-backoff-ms"), source.millis("gateway.kafka.rewind-backoff-max-ms"),
                source.millis("gateway.kafka.max-poll-interval-ms"),
                source.millis("gateway.kafka.recheck-interval-ms"));
    }
}
