package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mailgateway.enrich.Enricher;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.request.RequestRejectedException;

/**
 * Unicode in addresses: domains always travel as A-labels, UTF-8 local parts only for recipients, and look-alike
 * sender domains never pass the sender allow-list.
 */
class InternationalAddressesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @Test
    void unicodeDomainsBecomeALabelsInEveryAddressField() throws Exception {
        ObjectNode body = request();
        body.put("from", "shop@bücher.example");
        body.put("replyTo", "help@bücher.example");
        body.putArray("to").add("alice@bücher.example");
        body.putArray("cc").addObject().put("address", "carol@müller.example").put("name", "Carol");
        body.putArray("bcc").add("dave@ÉCOLE.example");

        MailRequest request = parser.parse(JSON.writeValueAsBytes(body));

        assertThat(request.from().address()).isEqualTo("shop@xn--bcher-kva.example");
        assertThat(request.replyTo().address()).isEqualTo("help@xn--bcher-kva.example");
        assertThat(request.to()).extracting(MailAddress::address).containsExactly("alice@xn--bcher-kva.example");
        assertThat(request.cc()).containsExactly(new MailAddress("carol@xn--mller-kva.example", "Carol"));
        assertThat(request.bcc()).extracting(MailAddress::address).containsExactly("dave@xn--cole-9oa.example");
    }

    @Test
    void ideographicAndFullwidthFullStopsSeparateLabelsAsDotsDo() throws Exception {
        ObjectNode body = request();
        body.putArray("to").add("alice@bücher\u3002example").add("bob@bücher\uFF0Eexample");

        assertThat(parser.parse(JSON.writeValueAsBytes(body)).to()).extracting(MailAddress::address)
                .containsExactly("alice@xn--bcher-kva.example", "bob@xn--bcher-kva.example");
    }

    @Test
    void utf8LocalPartIsKeptForRecipientsButRefusedForSenders() throws Exception {
        ObjectNode body = request();
        body.putArray("to").add("jürgen@example.org");
        assertThat(parser.parse(JSON.writeValueAsBytes(body)).to()).extracting(MailAddress::address)
                .containsExactly("jürgen@example.org");

        for (String field : List.of("from", "replyTo")) {
            ObjectNode sender = request();
            sender.put(field, "jürgen@acme.example");
            assertThatThrownBy(() -> parser.parse(JSON.writeValueAsBytes(sender)))
                    .isInstanceOfSatisfying(RequestRejectedException.class, e -> assertThat(e.detail())
                            .isEqualTo(field + ": a sender address needs an ASCII local part"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@bü cher.example", "a@bücher\u3000example", "jür\u00A0gen@example.org",
            "j\u2007rgen@example.org", "a@exa\uFF0Ample.org", "a@-bücher.example", "a@bücher..example",
            ".jürgen@example.org", "jürgen.@example.org", "jür..gen@example.org", "\"jürgen\"@example.org",
            "jür<gen@example.org", "a@bücher.example.", "a@xn--.example"})
    void malformedInternationalAddressesAreRejected(String address) {
        ObjectNode body = request();
        body.putArray("to").add(address);

        assertThatThrownBy(() -> parser.parse(JSON.writeValueAsBytes(body)))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.detail()).isEqualTo("to[0]: not an address"));
    }

    @Test
    void utf8LocalPartOfMoreThan64OctetsIsRejected() throws Exception {
        ObjectNode fits = request();
        fits.putArray("to").add("ü".repeat(32) + "@example.org");
        assertThat(parser.parse(JSON.writeValueAsBytes(fits)).to()).hasSize(1);

        ObjectNode tooLong = request();
        tooLong.putArray("to").add("ü".repeat(32) + "x@example.org");
        assertThatThrownBy(() -> parser.parse(JSON.writeValueAsBytes(tooLong)))
                .isInstanceOf(RequestRejectedException.class);
    }

    @Test
    void senderAllowListMatchesTheSameDomainWrittenInUnicodeOrALabelsButNotALookAlike() throws Exception {
        Enricher enricher = new Enricher(Tenants.none(), null, Set.of("bücher.example"));
        ObjectNode body = request();
        body.put("from", "shop@bücher.example");
        ObjectNode lookAlike = request();
        // U+0435 CYRILLIC SMALL LETTER IE looks like the Latin "e"
        lookAlike.put("from", "shop@bücher.\u0435xample");

        assertThat(enricher.enrich(parser.parse(JSON.writeValueAsBytes(body))).from().address())
                .isEqualTo("shop@xn--bcher-kva.example");
        MailRequest spoofed = parser.parse(JSON.writeValueAsBytes(lookAlike));
        assertThatThrownBy(() -> enricher.enrich(spoofed))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.category()).isEqualTo("sender-not-allowed"));
    }

    private static ObjectNode request() {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "intl-1");
        body.put("subject", "s");
        body.put("text", "t");
        body.putArray("to").add("alice@example.org");
        body.set("tags", JSON.valueToTree(Map.of()));
        return body;
    }
}
