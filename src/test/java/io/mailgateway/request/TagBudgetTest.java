package io.mailgateway.request;

import static io.mailgateway.request.Requests.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

/**
 * Tags are echoed in every result for their request, so each has a byte budget and may not carry control
 * characters; tags that break a rule are rejected by name and never echoed.
 */
class TagBudgetTest {

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @Test
    void aControlCharacterInATagValueIsRejectedNamingTheTag() {
        ObjectNode body = Requests.templated();
        body.putObject("tags").put("tenant", "acme").put("kind", "order\u0000\r\nX-Injected: 1");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("tags.kind: contains a control character");
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
            assertThat(e.tags()).isEmpty();
        });
    }

    @Test
    void aControlCharacterInATagNameIsRejectedWithTheNameEscaped() {
        ObjectNode body = Requests.templated();
        body.putObject("tags").put("ki\u001bnd", "order");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.detail()).isEqualTo("tags[\"ki\\u001bnd\"]: the name contains a control character");
            assertThat(e.tags()).isEmpty();
        });
    }

    @Test
    void lineAndParagraphSeparatorsAndBidiOverridesCountAsControlCharacters() {
        for (String sneaky : new String[] {"a\u2028b", "a\u0085b", "a\u202eb", "a\u007fb"}) {
            ObjectNode body = Requests.templated();
            body.putObject("tags").put("kind", sneaky);

            assertThat(Requests.detailOf(parser, body)).isEqualTo("tags.kind: contains a control character");
        }
    }

    @Test
    void aTagValueWithinTheCharacterLimitButOverTheByteLimitIsRejected() {
        ObjectNode body = Requests.templated();
        // 200 characters, 400 bytes of UTF-8
        body.putObject("tags").put("note", "ü".repeat(200));

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("tags.note: 400 bytes of UTF-8, more than the limit of 256");
            assertThat(e.tags()).isEmpty();
        });
    }

    @Test
    void aTagNameOverTheByteLimitIsRejected() {
        ObjectNode body = Requests.templated();
        // 40 characters, 120 bytes of UTF-8
        body.putObject("tags").put("€".repeat(40), "v");

        assertThat(Requests.detailOf(parser, body)).endsWith(": the name is 120 bytes of UTF-8, more than the limit of 64");
    }

    @Test
    void thirtyTwoTagsOfTheLargestSizeAreAcceptedAndEchoed() {
        ObjectNode body = Requests.templated();
        ObjectNode tags = body.putObject("tags");
        for (int i = 0; i < 32; i++) {
            tags.put(String.format("%02d", i) + "k".repeat(62), "ä".repeat(128));
        }

        assertThat(parser.parse(Requests.bytes(body)).tags()).hasSize(32);
    }

    @Test
    void tagsWithAControlCharacterAreNotEchoedWhenTheRequestFailsForAnotherReasonToo() {
        ObjectNode body = Requests.templated();
        body.putArray("to").add("not an address");
        body.putObject("tags").put("kind", "a\u0007b");

        assertRejected(parser, body).satisfies(e -> assertThat(e.tags()).isEmpty());
    }
}
