package io.mailgateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading the relay's replies as Angus Mail hands them over: code, enhanced status and text. */
class SmtpReplyTest {

    @Test
    void takesTheCodeFromTheLineWhenNoneIsGiven() {
        SmtpReply reply = SmtpReply.parse(-1, "421 4.3.2 service shutting down\n");

        assertThat(reply.code()).isEqualTo(421);
        assertThat(reply.text()).isEqualTo("4.3.2 service shutting down");
        assertThat(reply.transientFailure()).isTrue();
        assertThat(reply.positive()).isFalse();
    }

    @Test
    void keepsTheCodeItIsGiven() {
        SmtpReply reply = SmtpReply.parse(550, "550 5.1.1 user unknown");

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.transientFailure()).isFalse();
    }

    @Test
    void readsTheEnhancedStatusAtTheStartOfTheText() {
        SmtpReply reply = SmtpReply.parse(250, "250 2.0.0 Ok: queued as 4F2\n");

        assertThat(reply.enhancedStatus()).isEqualTo("2.0.0");
        assertThat(reply.text()).isEqualTo("2.0.0 Ok: queued as 4F2");
        assertThat(reply.positive()).isTrue();
    }

    @Test
    void hasNoEnhancedStatusWhenTheRelaySentNone() {
        SmtpReply reply = SmtpReply.parse(250, "250 Ok");

        assertThat(reply.enhancedStatus()).isNull();
        assertThat(reply.text()).isEqualTo("Ok");
    }

    @Test
    void doesNotMistakeANumberInTheTextForAnEnhancedStatus() {
        assertThat(SmtpReply.parse(250, "250 Ok 1.2.3 later").enhancedStatus()).isNull();
        assertThat(SmtpReply.parse(550, "550 5.1.1user unknown").enhancedStatus()).isNull();
        // the class digit must be 2, 4 or 5 (RFC 3463)
        assertThat(SmtpReply.parse(550, "550 3.1.1 odd").enhancedStatus()).isNull();
    }

    @Test
    void keepsEveryLineOfAMultiLineReplyWithTheFirstLinesEnhancedStatus() {
        SmtpReply reply = SmtpReply.parse(550,
                "550-5.1.1 The account you tried to reach does not exist.\n550 5.1.1 Check the address.\n");

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.enhancedStatus()).isEqualTo("5.1.1");
        // only the leading code goes; later lines stay as the relay sent them
        assertThat(reply.text())
                .isEqualTo("5.1.1 The account you tried to reach does not exist.\n550 5.1.1 Check the address.");
    }

    @Test
    void toleratesAnEmptyOrMissingReply() {
        assertThat(SmtpReply.parse(451, null)).isEqualTo(new SmtpReply(451, null, ""));
        assertThat(SmtpReply.parse(451, "  ")).isEqualTo(new SmtpReply(451, null, ""));
    }
}
