package io.mailgateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** DSN's ENVID and ORCPT values are xtext (RFC 3461 section 4): a relay reads them back byte for byte. */
class XtextTest {

    @Test
    void printableAsciiStaysAsItIs() {
        assertThat(GatewaySmtpTransport.encodedAsXtext("order-1042_a.b@example.org"))
                .isEqualTo("order-1042_a.b@example.org");
    }

    @Test
    void plusEqualsSpaceAndControlCharactersBecomeHexPairs() {
        assertThat(GatewaySmtpTransport.encodedAsXtext("a+b=c d\te")).isEqualTo("a+2Bb+3Dc+20d+09e");
    }

    @Test
    void nonAsciiIsEncodedByteByByteInUtf8() {
        assertThat(GatewaySmtpTransport.encodedAsXtext("é")).isEqualTo("+C3+A9");
    }
}
