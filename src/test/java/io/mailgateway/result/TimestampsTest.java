package io.mailgateway.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Result instants are written exactly as the contract's pattern writes them, and read back to the millisecond. */
class TimestampsTest {

    private static final DateTimeFormatter CONTRACT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void anInstantIsWrittenAsTheContractsPatternWritesIt() {
        for (Instant instant : instants()) {
            assertThat(Timestamps.format(instant)).as("%s", instant).isEqualTo(CONTRACT.format(instant));
        }
    }

    @Test
    void wholeSecondsKeepTheirThreeDigitsOfMilliseconds() {
        // Instant.toString() drops them: 2026-11-28T10:00:00Z.
        assertThat(Timestamps.format(Instant.parse("2026-11-28T10:00:00Z"))).isEqualTo("2026-11-28T10:00:00.000Z");
        assertThat(Timestamps.format(Instant.parse("2026-11-28T10:00:00.000999Z"))).isEqualTo("2026-11-28T10:00:00.000Z");
        assertThat(Timestamps.format(Instant.parse("2026-11-28T10:00:00.120Z"))).isEqualTo("2026-11-28T10:00:00.120Z");
    }

    @Test
    void whatIsWrittenIsReadBackToTheMillisecond() {
        for (Instant instant : instants()) {
            String text = CONTRACT.format(instant);
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void otherIsoInstantsAreReadAsInstantParseReadsThem() {
        for (String text : List.of("2026-11-28T10:00:00Z", "2026-11-28T10:00:00.123456789Z", "2026-11-28T10:00:00.1Z",
                "2024-02-29T23:59:59.999Z", "2026-11-28T10:00:00+01:00")) {
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void textThatIsNoInstantIsRefusedAsInstantParseRefusesIt() {
        for (String text : List.of("2026-02-30T10:00:00.000Z", "2025-02-29T10:00:00.000Z", "2026-13-01T10:00:00.000Z",
                "2026-11-28T25:00:00.000Z", "2026-11-28T10:60:00.000Z", "2026-11-28T1a:00:00.000Z",
                "2026-11-28T-1:00:00.000Z", "not a time at all, 24 ch", "")) {
            assertThatThrownBy(() -> Timestamps.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    // Random instants over four centuries, every millisecond of one second, and the edges of days, months and years.
    private static List<Instant> instants() {
        List<Instant> instants = new ArrayList<>();
        Random random = new Random(16);
        long from = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2300-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            instants.add(Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from)))
                    .plusNanos(random.nextInt(1_000_000)));
        }
        Instant second = Instant.parse("2026-11-28T10:00:00Z");
        for (int millis = 0; millis < 1000; millis++) {
            instants.add(second.plusMillis(millis));
        }
        for (String edge : List.of("1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T00:00:00Z",
                "2024-12-31T23:59:59.999Z", "2025-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z")) {
            instants.add(Instant.parse(edge));
        }
        return instants;
    }
}
