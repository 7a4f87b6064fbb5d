package io.mailgateway.config;

import io.mailgateway.retry.RetrySchedule;

/**
 * When deferred requests are tried again, and when they expire instead.
 *
 * <p>Owns {@code gateway.retry.schedule} and {@code gateway.retry.max-age}; the routes read
 * {@code gateway.retry.poll-interval-ms} themselves, and the retry topic is one of {@link Topics}.
 */
public record RetrySettings(RetrySchedule schedule) {

    public static RetrySettings from(Settings source) {
        return new RetrySettings(RetrySchedule.parse(source.text("gateway.retry.schedule"),
                source.text("gateway.retry.max-age")));
    }
}
