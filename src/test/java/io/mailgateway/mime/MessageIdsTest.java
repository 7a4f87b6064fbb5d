package io.mailgateway.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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

    @Test
    void theLeftPartIsTheFirstHalfOfTheIdsSha256SoMessageIdsStayTheSameAcrossVersions() {
        // A retry after an upgrade must carry the Message-ID of the attempt before it.
        assertThat(MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example"))
                .isEqualTo("<33fff130e19fb08208e01934762912c8@acme.example>");
        assertThat(MessageIds.forRequest("ord-1043-confirmation", "shop@acme.example"))
                .isEqualTo("<03347404d4407e3b5f9ce9e2292cbe40@acme.example>");
    }

    @Test
    void threadsDerivingMessageIdsAtTheSameTimeEachGetTheirRequestsOwn() throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            expected.put("req-" + i, MessageIds.forRequest("req-" + i, "shop@acme.example"));
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                checks.add(threads.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (Map.Entry<String, String> id : expected.entrySet()) {
                            if (!MessageIds.forRequest(id.getKey(), "shop@acme.example").equals(id.getValue())) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> check : checks) {
                assertThat(check.get(1, TimeUnit.MINUTES)).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
