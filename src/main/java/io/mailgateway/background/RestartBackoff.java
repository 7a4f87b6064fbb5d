package io.mailgateway.background;

import java.time.Duration;

/**
 * How long background work waits before it starts again after a failure: doubling from {@code min} with each
 * failure in a row, never longer than {@code max}, so a lasting fault costs one attempt per {@code max} and a brief
 * one is over within about {@code min}.
 */
public record RestartBackoff(Duration min, Duration max) {

    /** 1 s, doubling up to 30 s. */
    public static final RestartBackoff DEFAULT = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public RestartBackoff {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("restart backoff: need 0 < min <= max, but min was " + min.toMillis()
                    + " ms and max " + max.toMillis() + " ms");
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures) {
        // Doubling past 2^20 of any sensible min exceeds any sensible max; stopping there keeps the shift safe.
        int doublings = Math.max(0, Math.min(failures - 1, 20));
        long millis = min.toMillis() << doublings;
        return millis >= max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
