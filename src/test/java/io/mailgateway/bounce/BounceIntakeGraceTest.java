package io.mailgateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

/** How long a report whose request is not recorded yet is read again before it counts as unmatched. */
class BounceIntakeGraceTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aReportThatArrivedWithinTheGraceIsReadAgain() throws Exception {
        assertThat(BounceIntake.arrivedWithinGrace(dated(NOW.minusSeconds(1)), NOW)).isTrue();
        assertThat(BounceIntake.arrivedWithinGrace(dated(NOW.minus(BounceIntake.MATCH_GRACE).plusSeconds(1)), NOW))
                .isTrue();
    }

    @Test
    void aReportOlderThanTheGraceIsNotReadAgain() throws Exception {
        assertThat(BounceIntake.arrivedWithinGrace(dated(NOW.minus(BounceIntake.MATCH_GRACE)), NOW)).isFalse();
        assertThat(BounceIntake.arrivedWithinGrace(dated(NOW.minus(Duration.ofDays(3))), NOW)).isFalse();
    }

    @Test
    void aReportDatedFarAheadOrUndatedIsNotReadAgainForEver() throws Exception {
        assertThat(BounceIntake.arrivedWithinGrace(dated(NOW.plus(Duration.ofDays(365))), NOW)).isFalse();
        assertThat(BounceIntake.arrivedWithinGrace(new MimeMessage(Session.getInstance(new Properties())), NOW))
                .isFalse();
    }

    private static MimeMessage dated(Instant date) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setSentDate(Date.from(date));
        return message;
    }
}
