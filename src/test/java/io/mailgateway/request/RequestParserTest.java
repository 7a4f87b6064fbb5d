package io.mailgateway.request;

import static io.mailgateway.request.Requests.assertRejected;
import static io.mailgateway.request.Requests.bytes;
import static io.mailgateway.request.Requests.detailOf;
import static io.mailgateway.request.Requests.json;
import static io.mailgateway.request.Requests.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @Test
    void parsesTheDocumentedExampleIntoPlainJavaValues() {
        String body = """
                {
                  "id": "ord-1042-confirmation",
                  "template": "order-confirmation",
                  "locale": "de-AT",
                  "from": {"address": "shop@acme.example", "name": "ACME Shop"},
                  "replyTo": "support@acme.example",
                  "to": ["alice@example.org", {"address": "bob@example.org", "name": "Bob"}],
                  "cc": [], "bcc": [],
                  "subject": "optional override",
                  "data": {"name": "Alice", "order": {"no": 1042, "total": "€ 99,00", "paid": true, "items": [1, 2.5, null]}},
                  "attachments": [{"filename": "invoice.pdf", "contentType": "application/pdf", "contentBase64": "JVBERi0xLjQK"}],
                  "headers": {"X-Campaign": "autumn"},
                  "tags": {"tenant": "acme", "kind": "order"}
                }
                """;

        MailRequest request = parser.parse(utf8(body));

        assertThat(request.id()).isEqualTo("ord-1042-confirmation");
        assertThat(request.template()).isEqualTo("order-confirmation");
        assertThat(request.locale()).isEqualTo("de-AT");
        assertThat(request.from()).isEqualTo(new MailAddress("shop@acme.example", "ACME Shop"));
        assertThat(request.replyTo()).isEqualTo(new MailAddress("support@acme.example", null));
        assertThat(request.to()).containsExactly(
                new MailAddress("alice@example.org", null), new MailAddress("bob@example.org", "Bob"));
        assertThat(request.cc()).isEmpty();
        assertThat(request.bcc()).isEmpty();
        assertThat(request.subject()).isEqualTo("optional override");
        assertThat(request.text()).isNull();
        assertThat(request.html()).isNull();
        assertThat(request.data()).containsEntry("name", "Alice");
        assertThat(request.data().get("order")).isEqualTo(Map.of(
                "no", 1042, "total", "€ 99,00", "paid", true, "items", Arrays.asList(1, 2.5, null)));
        assertThat(request.attachments()).singleElement().satisfies(attachment -> {
            assertThat(attachment.filename()).isEqualTo("invoice.pdf");
            assertThat(attachment.contentType()).isEqualTo("application/pdf");
            assertThat(new String(attachment.content(), StandardCharsets.US_ASCII)).isEqualTo("%PDF-1.4\n");
        });
        assertThat(request.headers()).containsExactly(Map.entry("X-Campaign", "autumn"));
        assertThat(request.tags()).containsExactly(Map.entry("tenant", "acme"), Map.entry("kind", "order"));
    }

    @Test
    void acceptsAnInlineRequestWithoutTemplate() {
        ObjectNode body = Requests.inline();
        body.put("html", "<p>Hello</p>");

        MailRequest request = parser.parse(bytes(body));

        assertThat(request.template()).isNull();
        assertThat(request.subject()).isEqualTo("Welcome");
        assertThat(request.text()).isEqualTo("Hello");
        assertThat(request.html()).isEqualTo("<p>Hello</p>");
    }

    @Test
    void givesEmptyListsAndMapsForAbsentFields() {
        MailRequest request = parser.parse(bytes(json("{'id': 'x', 'template': 't', 'bcc': ['a@example.org']}")));

        assertThat(request.to()).isEmpty();
        assertThat(request.cc()).isEmpty();
        assertThat(request.data()).isEmpty();
        assertThat(request.attachments()).isEmpty();
        assertThat(request.headers()).isEmpty();
        assertThat(request.tags()).isEmpty();
        assertThat(request.from()).isNull();
        assertThat(request.locale()).isNull();
    }

    @Test
    void keepsLineBreaksInInlineBodies() {
        ObjectNode body = Requests.inline();
        body.put("text", "Hello Alice,\r\n\r\nthanks.\n");

        assertThat(parser.parse(bytes(body)).text()).isEqualTo("Hello Alice,\r\n\r\nthanks.\n");
    }

    @Test
    void rejectsAnOversizedValueAsTooLargeBeforeParsingIt() {
        RequestParser small = new RequestParser(new RequestLimits(100, 50, 1, 1, 50));
        byte[] notEvenJson = new byte[101];

        assertRejected(small, notEvenJson)
                .isNotInstanceOf(NotJsonException.class)
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).isEqualTo("body: 101 bytes exceeds the limit of 100");
                    assertThat(e.getMessage()).isEqualTo("too-large: body: 101 bytes exceeds the limit of 100");
                });
    }

    @Test
    void acceptsAValueOfExactlyTheRequestLimit() {
        byte[] value = bytes(Requests.templated());
        RequestParser exact = new RequestParser(new RequestLimits(value.length, 50, 1, 1, 50));

        assertThat(exact.parse(value).id()).isEqualTo("ord-1042-confirmation");
    }

    @Test
    void rejectsAValueThatIsNotUtf8AsNotJson() {
        byte[] latin1 = "{\"id\": \"x\", \"template\": \"t\", \"to\": [\"a@example.org\"], \"subject\": \"Grüße\"}"
                .getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(parser, latin1)
                .isInstanceOf(NotJsonException.class)
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo("invalid-request");
                    assertThat(e.detail()).isEqualTo("body: not a JSON object (not valid UTF-8)");
                    assertThat(e.requestId()).isNull();
                    assertThat(e.tags()).isEmpty();
                });
    }

    @Test
    void rejectsUtf8EncodedSurrogatesAsNotJson() {
        byte[] cesu = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};

        assertRejected(parser, cesu).isInstanceOf(NotJsonException.class);
    }

    @Test
    void rejectsOverlongUtf8AsNotJson() {
        // C0 AF is an overlong '/', the classic way to sneak a character past a byte-level filter
        byte[] overlong = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};

        assertRejected(parser, overlong)
                .isInstanceOf(NotJsonException.class)
                .extracting(RequestRejectedException::detail)
                .isEqualTo("body: not a JSON object (not valid UTF-8)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\": ", "{'id': 'x'}", "id=x", "{\"id\": \"x\",}", "\uFEFF{\"id\": \"x\"}"})
    void rejectsMalformedJsonAsNotJson(String value) {
        assertRejected(parser, utf8(value))
                .isInstanceOf(NotJsonException.class)
                .extracting(RequestRejectedException::detail).asString()
                .startsWith("body: not a JSON object (invalid JSON at line 1, column ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"id\": \"x\"}]", "\"x\"", "42", "true", "null", "", "  \n"})
    void rejectsJsonThatIsNotAnObjectAsNotJson(String value) {
        assertRejected(parser, utf8(value))
                .isInstanceOf(NotJsonException.class)
                .extracting(RequestRejectedException::detail).asString()
                .startsWith("body: not a JSON object");
    }

    @Test
    void rejectsARecordWithoutValueAsNotJson() {
        assertRejected(parser, (Object) null).isInstanceOf(NotJsonException.class);
    }

    @Test
    void rejectsDuplicateKeysAsNotJson() {
        String body = "{\"id\": \"a\", \"template\": \"t\", \"to\": [\"a@example.org\"], \"id\": \"b\"}";

        assertThat(detailOf(parser, utf8(body))).contains("Duplicate field 'id'");
        assertRejected(parser, utf8(body)).isInstanceOf(NotJsonException.class);
    }

    @Test
    void rejectsTrailingTokensAsNotJson() {
        String body = "{\"id\": \"a\", \"template\": \"t\", \"to\": [\"a@example.org\"]} {\"id\": \"b\"}";

        assertRejected(parser, utf8(body)).isInstanceOf(NotJsonException.class);
    }

    @Test
    void namesTheBodyIdAndTagsOnARejectionOnceTheBodyIsAnObjectWithAValidId() {
        ObjectNode body = Requests.templated();
        body.putArray("to").add("not-an-address");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.detail()).isEqualTo("to[0]: not an address");
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
            assertThat(e.tags()).isEqualTo(Map.of("tenant", "acme"));
        });
    }

    @Test
    void namesTheBodyIdAndTagsOnASchemaRejectionToo() {
        ObjectNode body = Requests.templated();
        body.put("unexpected", 1);

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
            assertThat(e.tags()).isEqualTo(Map.of("tenant", "acme"));
        });
    }

    @Test
    void leavesRequestIdNullWhenTheIdIsNotValid() {
        for (String id : List.of("has space", "", "x".repeat(129), "line\n")) {
            ObjectNode body = Requests.templated();
            body.put("id", id);

            assertRejected(parser, body).satisfies(e -> {
                assertThat(e.requestId()).isNull();
                assertThat(e.tags()).isEqualTo(Map.of("tenant", "acme"));
            });
        }
        ObjectNode numericId = Requests.templated();
        numericId.put("id", 7);
        assertRejected(parser, numericId).extracting(RequestRejectedException::requestId).isNull();
    }

    @Test
    void leavesTagsEmptyWhenTheyAreNotAStringMap() {
        ObjectNode body = Requests.templated();
        body.putObject("tags").put("tenant", "acme").put("count", 3);

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.detail()).isEqualTo("tags.count: must be a string");
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
            assertThat(e.tags()).isEmpty();
        });
    }

    @Test
    void leavesTagsEmptyWhenTheyBreakTheSchemaLimits() {
        ObjectNode body = Requests.templated();
        body.putObject("tags").put("tenant", "acme").put("note", "n".repeat(257));

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.detail()).isEqualTo("tags.note: must be at most 256 characters long");
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
            assertThat(e.tags()).isEmpty();
        });
    }

    @Test
    void returnsUnmodifiableCollections() {
        MailRequest request = parser.parse(bytes(Requests.templated()));

        assertThat(request.to()).isUnmodifiable();
        assertThat(request.tags()).isUnmodifiable();
        assertThat(request.data()).isUnmodifiable();
    }
}
