package io.mailgateway.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Specifies the Message-ID derived from a request id: stable per request, distinct across requests, always well-formed. */
class MessageIdsTest {

    /** RFC 5322 msg-id with a dot-atom-text left part and a lower-case domain. */
    private static final String WELL_FORMED = "^<[0-9a-f]{32}@[a-z0-9.-]+>$";

    @Test
    void theSameRequestIdAndSenderAlwaysGiveTheSameMessageId() {
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example"))
                .isEqualTo(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example"));
    }

    @Test
    void differentRequestIdsGiveDifferentMessageIds() {
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example"))
                .isNotEqualTo(MessageIds.forRequest("ord-1043-confirmation", "shop@acme.example"))
                .isNotEqualTo(MessageIds.forRequest("ord-1042-Confirmation", "shop@acme.example"));
    }

    @Test
    void theDomainIsTheSendersDomain() {
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example")).endsWith("@acme.example>");
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "news@globex.example")).endsWith("@globex.example>");
    }

    @Test
    void theDomainIsLowerCased() {
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "Shop@ACME.Example"))
                .isEqualTo(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example"))
                .endsWith("@acme.example>");
    }

    @Test
    void idsWithColonsAndDotsGiveAWellFormedLeftPart() {
        for (String id : new String[] {"ord:1042", "a.b.c", "..", ":", "tenant:acme.order:1042.v2", "x".repeat(128)}) {
            String messageId = MessageIds.forRequest(id, "shop@acme.example");

            assertThat(messageId).as(id).matches(WELL_FORMED);
        }
    }

    @Test
    void theLeftPartDoesNotRevealTheRequestId() {
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example")).doesNotContain("ord-1042");
    }
}
