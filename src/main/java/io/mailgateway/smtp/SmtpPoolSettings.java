package io.mailgateway.smtp;

import java.time.Duration;

/**
 * How the gateway reuses SMTP sessions with its relay.
 *
 * @param size                     the most connections open to the relay at once, which is also how many
 *                                 messages are submitted to it concurrently
 * @param maxMessagesPerConnection a connection is closed after this many messages (relays limit them too)
 * @param maxIdle                  a connection unused for this long is closed; idle connections are checked
 *                                 with NOOP meanwhile
 */
public record SmtpPoolSettings(int size, int maxMessagesPerConnection, Duration maxIdle) {

    /** For tools and tests that send a few messages. */
    public static final SmtpPoolSettings DEFAULT = new SmtpPoolSettings(4, 100, Duration.ofSeconds(30));

    public SmtpPoolSettings {
        if (size < 1) {
            throw new IllegalArgumentException("SMTP_POOL_SIZE must be at least 1 but was " + size);
        }
        if (maxMessagesPerConnection < 1) {
            throw new IllegalArgumentException("SMTP_POOL_MAX_MESSAGES_PER_CONNECTION must be at least 1 but was "
                    + maxMessagesPerConnection);
        }
        if (maxIdle == null || maxIdle.isNegative() || maxIdle.isZero()) {
            throw new IllegalArgumentException("SMTP_POOL_MAX_IDLE_MS must be positive");
        }
    }
}
