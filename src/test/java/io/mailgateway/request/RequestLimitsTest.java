package io.mailgateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    @Test
    void defaultsToTheDocumentedLimits() {
        assertThat(RequestLimits.defaults()).isEqualTo(new RequestLimits(10 * 1024 * 1024, 5 * 1024 * 1024, 10, 50, 998));
    }

    @Test
    void refusesLimitsThatWouldRejectEverything() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(0, 1, 1, 1, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(1, 1, 1, 0, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(1, 1, -1, 1, 1));
    }

    @Test
    void allowsZeroAttachmentsToTurnAttachmentsOff() {
        RequestParser parser = new RequestParser(new RequestLimits(10_000, 10, 0, 1, 100));
        var body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("a.txt", "text/plain", new byte[1]));

        assertThat(Requests.detailOf(parser, body)).isEqualTo("attachments: 1 attachments exceed the limit of 0");
    }
}
