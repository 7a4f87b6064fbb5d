package io.mailgateway.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Result instants are written exactly as the contract's pattern writes them. */
class ResultTimestampsTest {

    private static final DateTimeFormatter CONTRACT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void anInstantIsWrittenAsTheContractsPatternWritesIt() {
        for (Instant instant : instants()) {
            assertThat(ResultFactory.timestamp(instant)).as("%s", instant).isEqualTo(CONTRACT.format(instant));
        }
    }

    @Test
    void wholeSecondsKeepTheirThreeDigitsOfMilliseconds() {
        // Instant.toString() drops them: 2026-11-28T10:00:00Z.
        assertThat(ResultFactory.timestamp(Instant.parse("2026-11-28T10:00:00Z"))).isEqualTo("2026-11-28T10:00:00.000Z");
        assertThat(ResultFactory.timestamp(Instant.parse("2026-11-28T10:00:00.000999Z"))).isEqualTo("2026-11-28T10:00:00.000Z");
        assertThat(ResultFactory.timestamp(Instant.parse("2026-11-28T10:00:00.120Z"))).isEqualTo("2026-11-28T10:00:00.120Z");
    }

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
