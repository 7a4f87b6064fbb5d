package io.mailgateway.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.camel.util.TimeUtils;

/**
 * When a deferred request is tried again: a growing list of delays (the last one repeats) and a maximum age
 * after which the request expires.
 */
public record RetrySchedule(List<Duration> delays, Duration maxAge) {

    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty() || delays.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("the retry schedule needs at least one positive delay");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the maximum age of a request must be positive");
        }
    }

    /** Parses e.g. "1m,5m,15m,30m,1h" (Camel duration syntax: 500ms, 30s, 5m, 1h, 1h30m). */
    public static RetrySchedule parse(String delays, String maxAge) {
        return new RetrySchedule(Arrays.stream(delays.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(TimeUtils::toDuration).toList(), TimeUtils.toDuration(maxAge.trim()));
    }

    /**
     * The time of the next attempt after {@code attempts} attempts, or empty when that would be past the
     * request's maximum age.
     */
    public Optional<Instant> next(int attempts, Instant receivedAt, Instant now) {
        Duration delay = delays.get(Math.min(Math.max(attempts, 1), delays.size()) - 1);
        Instant next = now.plus(delay);
        return next.isAfter(receivedAt.plus(maxAge)) ? Optional.empty() : Optional.of(next);
    }
}
