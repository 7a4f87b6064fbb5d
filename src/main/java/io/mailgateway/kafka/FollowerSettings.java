package io.mailgateway.kafka;

import java.time.Duration;

import io.mailgateway.background.RestartBackoff;

/**
 * How a {@link CompactedTopicFollower} deals with faults.
 *
 * @param timeout       longest wait for the brokers in one call (topic metadata, end offsets), and longest wait of a
 *                      lookup for the follower to catch up
 * @param restarts      the wait before following again after a failure
 * @param poisonRecords counts the records skipped as unusable
 */
public record FollowerSettings(Duration timeout, RestartBackoff restarts, PoisonRecords poisonRecords) {

    /** 30 s per call, restarts after 1 s doubling up to 30 s, poison records not counted. */
    public static final FollowerSettings DEFAULT = new FollowerSettings(Duration.ofSeconds(30), RestartBackoff.DEFAULT,
            PoisonRecords.NOT_COUNTED);

    public FollowerSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("follower timeout must be positive but was " + timeout.toMillis() + " ms");
        }
    }
}
