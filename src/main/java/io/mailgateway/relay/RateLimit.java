package io.mailgateway.relay;

import java.time.Duration;
import java.util.Locale;

/** At most {@code messages} messages per {@code per}, per gateway instance. */
public record RateLimit(int messages, Duration per) {

    public RateLimit {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be at least 1 but was " + messages);
        }
        if (per == null || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("per must be a positive duration");
        }
    }

    /** The spacing between two messages when the limit is spread evenly over its period. */
    public Duration interval() {
        return per.dividedBy(messages);
    }

    @Override
    public String toString() {
        return messages + " messages per " + per.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
