package io.mailgateway.result;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The instants of delivery results ({@code receivedAt}, {@code completedAt}) as text, {@code uuuu-MM-ddTHH:mm:ss.SSSZ}.
 * Written on every message, so by {@link Instant#toString()}'s specialised printer rather than a pattern formatter.
 */
public final class Timestamps {

    private Timestamps() {
    }

    /** The instant in UTC to the millisecond, always with all three digits of the milliseconds. */
    public static String format(Instant instant) {
        String text = instant.truncatedTo(ChronoUnit.MILLIS).toString();
        // Instant.toString leaves out a fraction of zero; the contract's form always has one.
        return instant.getNano() < 1_000_000 ? text.substring(0, text.length() - 1) + ".000Z" : text;
    }
}
