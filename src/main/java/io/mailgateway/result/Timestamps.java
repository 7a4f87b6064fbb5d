package io.mailgateway.result;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The instants of delivery results ({@code receivedAt}, {@code completedAt}) as text, {@code uuuu-MM-ddTHH:mm:ss.SSSZ},
 * written and read on every message without the general formatter's and parser's cost.
 */
public final class Timestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int LENGTH = "2026-11-28T10:00:00.120Z".length();

    private Timestamps() {
    }

    /** The instant in UTC to the millisecond, always with all three digits of the milliseconds. */
    public static String format(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            // Years the four digits cannot hold: the pattern's own form, never met in practice.
            return FORMAT.format(instant);
        }
        StringBuilder text = new StringBuilder(LENGTH);
        digits(text, year, 4).append('-');
        digits(text, time.getMonthValue(), 2).append('-');
        digits(text, time.getDayOfMonth(), 2).append('T');
        digits(text, time.getHour(), 2).append(':');
        digits(text, time.getMinute(), 2).append(':');
        digits(text, time.getSecond(), 2).append('.');
        return digits(text, time.getNano() / 1_000_000, 3).append('Z').toString();
    }

    /**
     * Reads an instant as {@link #format} writes it, and any other ISO-8601 instant (a record written by another
     * version) as {@link Instant#parse} does.
     *
     * @throws DateTimeParseException when the text is no instant
     */
    public static Instant parse(CharSequence text) {
        if (text.length() == LENGTH && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(23) == 'Z') {
            int year = number(text, 0, 4);
            int month = number(text, 5, 7);
            int day = number(text, 8, 10);
            int hour = number(text, 11, 13);
            int minute = number(text, 14, 16);
            int second = number(text, 17, 19);
            int millis = number(text, 20, 23);
            // Fields out of range (month 13, 31 April, hour 24) go to the general parser, which rejects them.
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= Month.of(month).length(Year.isLeap(year))
                    && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59
                    && millis >= 0) {
                long days = LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, millis * 1_000_000L);
            }
        }
        return Instant.parse(text);
    }

    private static StringBuilder digits(StringBuilder text, int value, int width) {
        String number = Integer.toString(value);
        for (int padding = width - number.length(); padding > 0; padding--) {
            text.append('0');
        }
        return text.append(number);
    }

    // The decimal number in text[from, to), or -1 when a character there is no digit.
    private static int number(CharSequence text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
