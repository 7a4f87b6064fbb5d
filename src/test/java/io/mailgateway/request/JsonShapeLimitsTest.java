package io.mailgateway.request;

import static io.mailgateway.request.Requests.assertRejected;
import static io.mailgateway.request.Requests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A request is read only as far as the limits on its JSON's shape allow: over one, it is REJECTED as too-large with
 * the field path and the limit named, before the rest of it takes memory.
 */
class JsonShapeLimitsTest {

    private static final JsonLimits SMALL = new JsonLimits(6, 40, 10, 5, 4, 50);
    private final RequestParser parser = new RequestParser(new RequestLimits(100_000, 1000, 2, 5, 100, SMALL));

    @Test
    void anArrayWithMoreElementsThanTheLimitIsTooLargeNamingItsPath() {
        assertRejected(parser, utf8(request("\"data\": {\"items\": [1, 2, 3, 4, 5, 6]}")))
                .isInstanceOf(NotJsonException.class)
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).isEqualTo(
                            "data.items[5]: more than 5 elements, the limit of GATEWAY_MAX_JSON_ARRAY_ELEMENTS");
                });
    }

    @Test
    void anArrayOfExactlyTheLimitIsAccepted() {
        assertThat(parser.parse(utf8(request("\"data\": {\"items\": [1, 2, 3, 4, 5]}"))).data())
                .containsEntry("items", List.of(1, 2, 3, 4, 5));
    }

    @Test
    void theElementLimitHoldsOutsideDataToo() {
        assertRejected(parser, utf8("{\"id\": \"s-1\", \"subject\": \"s\", \"text\": \"t\", \"to\": "
                + "[\"a@example.org\", \"b@example.org\", \"c@example.org\", \"d@example.org\", \"e@example.org\", "
                + "\"f@example.org\"]}"))
                .extracting(RequestRejectedException::detail)
                .isEqualTo("to[5]: more than 5 elements, the limit of GATEWAY_MAX_JSON_ARRAY_ELEMENTS");
    }

    @Test
    void anArrayOfObjectsCountsEachObjectAsAnElement() {
        assertRejected(parser, utf8(request("\"data\": {\"rows\": [{}, {}, {}, {}, {}, []]}")))
                .extracting(RequestRejectedException::detail)
                .isEqualTo("data.rows[5]: more than 5 elements, the limit of GATEWAY_MAX_JSON_ARRAY_ELEMENTS");
    }

    @Test
    void anObjectWithMoreMembersThanTheLimitIsTooLargeNamingItsPath() {
        assertRejected(parser, utf8(request("\"data\": {\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5}")))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).isEqualTo(
                            "data: more than 4 members, the limit of GATEWAY_MAX_JSON_OBJECT_MEMBERS");
                });
    }

    @Test
    void theWholeBodyIsAnObjectWhoseMembersCountToo() {
        // 8 members, more than the 4 allowed per object
        assertRejected(parser, utf8("{\"id\": \"m-1\", \"subject\": \"s\", \"text\": \"t\", \"to\": [\"a@example.org\"],"
                + " \"cc\": [], \"bcc\": [], \"tags\": {}, \"data\": {}}"))
                .extracting(RequestRejectedException::detail)
                .isEqualTo("body: more than 4 members, the limit of GATEWAY_MAX_JSON_OBJECT_MEMBERS");
    }

    @Test
    void manySmallContainersAreBoundedByTheTotalValueLimit() {
        // each array stays within 5 elements and each object within 4 members, but together they exceed 50 values
        String row = "[[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]";
        assertRejected(parser, utf8(request("\"data\": {\"a\": [" + row + ", " + row + "], \"b\": [" + row + "]}")))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).endsWith(": more than 50 values in the request, the limit of GATEWAY_MAX_JSON_VALUES")
                            .startsWith("data.b[0]");
                });
    }

    @Test
    void nestingBeyondTheDepthLimitIsTooLargeNamingThePathAndTheSetting() {
        assertRejected(parser, utf8(request("\"data\": {\"a\": {\"b\": [[[{}]]]}}")))
                .isInstanceOf(NotJsonException.class)
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).startsWith("data.a.b[0][0]")
                            .contains("nesting depth (7) exceeds the maximum allowed (6, GATEWAY_MAX_JSON_DEPTH)");
                });
    }

    @Test
    void aStringLongerThanTheLimitIsTooLargeNamingItsPath() {
        assertRejected(parser, utf8(request("\"data\": {\"note\": \"" + "x".repeat(41) + "\"}")))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).startsWith("data.note: String value length")
                            .contains("exceeds the maximum allowed (40, GATEWAY_MAX_JSON_STRING_LENGTH)");
                });
    }

    @Test
    void aNumberLongerThanTheLimitIsTooLargeNamingItsPath() {
        assertRejected(parser, utf8(request("\"data\": {\"n\": 12345678901}")))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).startsWith("data.n: Number value length")
                            .contains("exceeds the maximum allowed (10, GATEWAY_MAX_JSON_NUMBER_LENGTH)");
                });
    }

    @Test
    void theDefaultsAcceptTheLargestAttachmentTheDefaultLimitsAllow() {
        RequestParser defaults = new RequestParser(RequestLimits.defaults());
        var body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("big.bin", "application/octet-stream",
                new byte[RequestLimits.defaults().maxAttachmentBytes()]));

        assertThat(defaults.parse(Requests.bytes(body)).attachments()).hasSize(1);
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(JsonLimits.defaults()).isEqualTo(new JsonLimits(32, 10 * 1024 * 1024, 100, 10_000, 1_000, 100_000));
        assertThat(RequestLimits.defaults().json()).isEqualTo(JsonLimits.defaults());
    }

    @Test
    void refusesLimitsThatWouldRejectEveryRequest() {
        assertThatIllegalArgumentException().isThrownBy(() -> new JsonLimits(2, 1, 1, 1, 1, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new JsonLimits(3, 1, 1, 0, 1, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new JsonLimits(3, 1, 1, 1, 1, 0));
    }

    @Test
    void dataWithinEveryLimitReachesTheTemplateUnchanged() {
        MailRequest request = parser.parse(utf8(request("\"data\": {\"a\": [1, \"x\"], \"b\": {\"c\": null}}")));

        assertThat(request.data()).isEqualTo(Map.of("a", List.of(1, "x"), "b", java.util.Collections.singletonMap("c", null)));
    }

    private static String request(String dataMember) {
        return "{\"id\": \"j-1\", \"template\": \"t\", \"to\": [\"a@example.org\"], " + dataMember + "}";
    }
}
