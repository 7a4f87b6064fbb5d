package io.mailgateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mailgateway.bounce.DeliveryReport.Action;
import io.mailgateway.bounce.DeliveryReport.ReportedRecipient;
import io.mailgateway.bounce.TextBounceRules.RuleDefinition;

class TextBounceRulesTest {

    private final TextBounceRules bundled = TextBounceRules.bundled();

    @Test
    void theBundledTableTriesSpecificRulesBeforeTheGenericOnes() {
        List<String> names = bundled.names();

        assertThat(names).contains("exchange-ndr", "gmail-address-not-found", "qmail-permanent", "mailbox-full");
        assertThat(names.indexOf("mailbox-full")).isLessThan(names.indexOf("smtp-permanent-reply"));
        assertThat(names.get(names.size() - 1)).isEqualTo("smtp-transient-reply");
    }

    @Test
    void aGenericPermanentReplyNamesItsAddressAndQuotedStatus() {
        List<ReportedRecipient> read = bundled.read(
                "<judy@example.org>: host mx.example.org[192.0.2.60] said: 550 5.7.1 Relaying denied\n");

        assertThat(read).containsExactly(new ReportedRecipient("judy@example.org", Action.FAILED, "5.7.1", null,
                "<judy@example.org>: host mx.example.org[192.0.2.60] said: 550 5.7.1 Relaying denied"));
    }

    @Test
    void aTransientReplyIsASoftFailure() {
        List<ReportedRecipient> read = bundled.read("kim@example.org: 451 4.7.1 Greylisted, try again later\n");

        assertThat(read).extracting(ReportedRecipient::recipient, ReportedRecipient::action, ReportedRecipient::status)
                .containsExactly(tuple("kim@example.org", Action.FAILED, "4.7.1"));
    }

    @Test
    void aDelayWarningIsADelayNotAFailure() {
        List<ReportedRecipient> read = bundled.read("Delivery has been delayed to these recipients:\n"
                + "leo@example.org: 451 4.4.1 no answer from host\n");

        assertThat(read).extracting(ReportedRecipient::action).containsExactly(Action.DELAYED);
        assertThat(read).extracting(ReportedRecipient::status).containsExactly("4.4.7");
    }

    @Test
    void textNoRuleKnowsReadsAsNothing() {
        assertThat(bundled.read("Thanks for your mail, I am out of office until Monday.\n")).isEmpty();
    }

    @Test
    void aRuleWhoseStatusContradictsItsMeaningIsRefusedByName() {
        RuleDefinition hardButTransient = new RuleDefinition("full", "mailbox full", "hard", "4.2.2");

        assertThatThrownBy(() -> TextBounceRules.of(List.of(hardButTransient)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("bounces/text-rules.yaml: rule full: status: "
                        + "must be an enhanced status code 5.x.x for hard");
    }

    @Test
    void aRuleWithABrokenPatternOrUnknownMeaningIsRefusedByName() {
        RuleDefinition broken = new RuleDefinition("broken", "(unclosed", "hard", "5.0.0");

        assertThatThrownBy(() -> TextBounceRules.of(List.of(broken)))
                .hasMessageStartingWith("bounces/text-rules.yaml: rule broken: pattern: ");
        assertThatThrownBy(() -> TextBounceRules.of(List.of(new RuleDefinition("odd", "x", "maybe", "5.0.0"))))
                .hasMessage("bounces/text-rules.yaml: rule odd: meaning: must be hard, soft or delayed");
    }
}
