package io.mailgateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.mailgateway.events.DeliveryEvent;
import io.mailgateway.events.DeliveryEvent.Source;
import io.mailgateway.events.DeliveryEvent.SourceKind;

class ReportLedgerTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private final ReportLedger ledger = new ReportLedger(CLOCK, Duration.ofDays(7));

    @Test
    void anEventOfAReportIsKnownOnceRememberedWhateverTheCaseOfItsRecipient() {
        ledger.remember(event("<r1@mx>", "Alice@Example.org"));

        assertThat(ledger.published(event("<r1@mx>", "alice@example.org"))).isTrue();
        assertThat(ledger.published(event("<r2@mx>", "alice@example.org"))).isFalse();
    }

    @Test
    void anEventWithoutAReportMessageIdIsNeverTakenForPublished() {
        ledger.remember(event(null, "alice@example.org"));

        assertThat(ledger.published(event(null, "alice@example.org"))).isFalse();
    }

    @Test
    void softBouncesCountOnlyWithinTheWindow() {
        long eightDaysAgo = NOW.minus(Duration.ofDays(8)).toEpochMilli();
        long twoDaysAgo = NOW.minus(Duration.ofDays(2)).toEpochMilli();

        assertThat(ledger.countSoftBounce("bob@example.org", eightDaysAgo)).isZero();
        assertThat(ledger.countSoftBounce("bob@example.org", twoDaysAgo)).isEqualTo(1);
        assertThat(ledger.countSoftBounce("BOB@example.org", NOW.toEpochMilli())).isEqualTo(2);
        ledger.forgetSoftBounces("bob@example.org");
        assertThat(ledger.countSoftBounce("bob@example.org", NOW.toEpochMilli())).isEqualTo(1);
    }

    private static DeliveryEvent event(String reportMessageId, String recipient) {
        return new DeliveryEvent("req-1", DeliveryEvent.Type.BOUNCED, recipient, null, null, null,
                new Source(SourceKind.DSN, reportMessageId), null, null, NOW.toString());
    }
}
