package io.mailgateway.request;

import static io.mailgateway.request.Requests.assertRejected;
import static io.mailgateway.request.Requests.bytes;
import static io.mailgateway.request.Requests.detailOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFieldValidationTest {

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @ParameterizedTest
    @ValueSource(strings = {
            "alice",
            "alice@",
            "@example.org",
            "Alice <alice@example.org>",
            "<alice@example.org>",
            "alice@example.org (Alice)",
            " alice@example.org",
            "alice@example.org ",
            "team: alice@example.org, bob@example.org;",
            "alice@example.org, bob@example.org",
            "@relay.example:alice@example.org",
            "alice@example..org",
            "alice@-example.org",
            "alice@example.org.",
            "alice@[192.0.2.1]",
            "alice@exa_mple.org",
            "alice smith@example.org",
            "alice@bücher .example",
            "jürgen@exa_mple.org"})
    void rejectsAnythingButABareAddress(String address) {
        ObjectNode body = Requests.templated();
        body.putArray("to").add(address);

        assertThat(detailOf(parser, body)).isEqualTo("to[0]: not an address");
    }

    @Test
    void rejectsALocalPartLongerThan64Characters() {
        ObjectNode body = Requests.templated();
        body.putArray("to").add("a".repeat(64) + "@example.org");
        assertThat(parser.parse(bytes(body)).to()).hasSize(1);

        body.putArray("to").add("a".repeat(65) + "@example.org");
        assertThat(detailOf(parser, body)).isEqualTo("to[0]: not an address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice@example.org", "alice+orders@mail.example.org", "alice@localhost",
            "\"alice smith\"@example.org", "o'brien@example.org", "a@b-c.example"})
    void acceptsBareAddresses(String address) {
        ObjectNode body = Requests.templated();
        body.putArray("to").add(address);

        assertThat(parser.parse(bytes(body)).to()).containsExactly(new MailAddress(address, null));
    }

    @Test
    void namesTheAddressFieldOfAnAddressObject() {
        ObjectNode body = Requests.templated();
        body.putObject("from").put("address", "ACME <shop@acme.example>").put("name", "ACME");

        assertThat(detailOf(parser, body)).isEqualTo("from.address: not an address");
    }

    @Test
    void checksEveryAddressField() {
        assertThat(rejectionWith(body -> body.put("replyTo", "nobody"))).isEqualTo("replyTo: not an address");
        assertThat(rejectionWith(body -> body.putArray("cc").add("carol@example.org").add("nobody")))
                .isEqualTo("cc[1]: not an address");
        assertThat(rejectionWith(body -> body.putArray("bcc").addObject().put("address", "nobody")))
                .isEqualTo("bcc[0].address: not an address");
    }

    static Stream<String> headerBreakingCharacters() {
        return Stream.of("\r", "\n", "\r\n", "\u0000", "\t", "\u0007", "\u007f", "\u0085", "\u009b", "\u2028", "\u2029",
                "\u200b", "\u202e", "\ufeff", "\ud800");
    }

    @ParameterizedTest
    @MethodSource("headerBreakingCharacters")
    void rejectsControlAndLineBreakingCharactersInTheSubject(String character) {
        ObjectNode body = Requests.templated();
        body.put("subject", "Your order" + character + "Bcc: eve@example.org");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("subject: contains a control character");
        });
    }

    static Stream<Arguments> headerBoundFields() {
        return Stream.of(
                Arguments.of("id", (Consumer<ObjectNode>) body -> body.put("id", "ord-1\n")),
                Arguments.of("template", (Consumer<ObjectNode>) body -> body.put("template", "order\n")),
                Arguments.of("locale", (Consumer<ObjectNode>) body -> body.put("locale", "de\n")),
                Arguments.of("from", (Consumer<ObjectNode>) body -> body.put("from", "shop@acme.example\r\n")),
                Arguments.of("from.name", (Consumer<ObjectNode>) body ->
                        body.putObject("from").put("address", "shop@acme.example").put("name", "ACME\r\nBcc: eve@example.org")),
                Arguments.of("replyTo.name", (Consumer<ObjectNode>) body ->
                        body.putObject("replyTo").put("address", "help@acme.example").put("name", "Help\u2028Desk")),
                Arguments.of("to[0]", (Consumer<ObjectNode>) body -> body.putArray("to").add("alice@example.org\n")),
                Arguments.of("to[0].name", (Consumer<ObjectNode>) body ->
                        body.putArray("to").addObject().put("address", "alice@example.org").put("name", "Alice\u0000")),
                Arguments.of("headers.X-Campaign", (Consumer<ObjectNode>) body ->
                        body.putObject("headers").put("X-Campaign", "autumn\r\nBcc: eve@example.org")),
                Arguments.of("headers[\"X-Campaign\\u000a\"]", (Consumer<ObjectNode>) body ->
                        body.putObject("headers").put("X-Campaign\n", "autumn")),
                Arguments.of("attachments[0].filename", (Consumer<ObjectNode>) body ->
                        body.putArray("attachments").add(Requests.attachment("invoice\u0085.pdf", "application/pdf", new byte[] {1}))),
                Arguments.of("attachments[0].contentType", (Consumer<ObjectNode>) body ->
                        body.putArray("attachments").add(Requests.attachment("a.pdf", "application/pdf\r\nX-Evil: 1", new byte[] {1}))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerBoundFields")
    void rejectsControlCharactersInEveryHeaderBoundField(String path, Consumer<ObjectNode> change) {
        assertThat(rejectionWith(change)).isEqualTo(path + ": contains a control character");
    }

    @Test
    void acceptsNonAsciiLettersAndEmojiInDisplayNamesAndSubject() {
        ObjectNode body = Requests.templated();
        body.put("subject", "Grüße aus Wien ☕ 😀");
        body.putObject("from").put("address", "shop@acme.example").put("name", "Café Ünal 😀");

        MailRequest request = parser.parse(bytes(body));

        assertThat(request.subject()).isEqualTo("Grüße aus Wien ☕ 😀");
        assertThat(request.from().name()).isEqualTo("Café Ünal 😀");
    }

    @Test
    void rejectsTooManyRecipientsAcrossToCcAndBcc() {
        RequestParser parser = new RequestParser(new RequestLimits(100_000, 1000, 1, 2, 100));
        ObjectNode body = Requests.templated();
        body.putArray("cc").add("carol@example.org");
        body.putArray("bcc").add("dave@example.org");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("to: 3 recipients exceed the limit of 2");
        });
        body.remove("bcc");
        assertThat(parser.parse(bytes(body)).cc()).hasSize(1);
    }

    @Test
    void rejectsASubjectLongerThanTheLimit() {
        RequestParser parser = new RequestParser(new RequestLimits(100_000, 1000, 1, 2, 10));
        ObjectNode body = Requests.templated();
        body.put("subject", "😀".repeat(10));
        assertThat(parser.parse(bytes(body)).subject()).isEqualTo("😀".repeat(10));

        body.put("subject", "x".repeat(11));
        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("subject: 11 characters exceed the limit of 10");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pdf", "application/", "/pdf", "application/pdf garbage", "text/plain;;", "text/plain; name=\"unclosed"})
    void rejectsContentTypesThatAreNotTypeSlashSubtype(String contentType) {
        assertThat(rejectionWith(body -> body.putArray("attachments").add(Requests.attachment("a", contentType, new byte[] {1}))))
                .isEqualTo("attachments[0].contentType: not a MIME type (type/subtype)");
    }

    @Test
    void acceptsContentTypesWithParameters() {
        ObjectNode body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("notes.txt", "text/plain; charset=utf-8", utf8("hi")));

        assertThat(parser.parse(bytes(body)).attachments().get(0).contentType()).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void rejectsContentTypeParametersThatDecodeToControlCharacters() {
        assertThat(rejectionWith(body -> body.putArray("attachments")
                .add(Requests.attachment("a.pdf", "application/pdf; name*=utf-8''invoice%0D%0A.pdf", new byte[] {1}))))
                .isEqualTo("attachments[0].contentType: contains a control character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipart/mixed; boundary=x", "message/rfc822", "Multipart/Alternative"})
    void rejectsContainerContentTypes(String contentType) {
        assertThat(rejectionWith(body -> body.putArray("attachments").add(Requests.attachment("a", contentType, new byte[] {1}))))
                .isEqualTo("attachments[0].contentType: multipart and message types are not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"aGVsbG8=\n", "aGVs\r\nbG8=", "aGVs bG8=", "aGVsbG8=!", "aGVsbG8===", "a", "aGVsbG8=aGVs", "aGVs-G8_"})
    void rejectsContentThatIsNotStrictBase64(String base64) {
        ObjectNode attachment = Requests.attachment("a.txt", "text/plain", new byte[0]);
        attachment.put("contentBase64", base64);

        assertThat(rejectionWith(body -> body.putArray("attachments").add(Requests.attachment("ok.txt", "text/plain", utf8("ok")))
                .add(attachment)))
                .isEqualTo("attachments[1].contentBase64: not valid base64");
    }

    @Test
    void acceptsEmptyAndUnpaddedBase64() {
        ObjectNode body = Requests.templated();
        ArrayNode attachments = body.putArray("attachments");
        attachments.add(Requests.attachment("empty.txt", "text/plain", new byte[0]));
        attachments.add(Requests.attachment("hello.txt", "text/plain", new byte[0]).put("contentBase64", "aGVsbG8"));

        MailRequest request = parser.parse(bytes(body));

        assertThat(request.attachments().get(0).content()).isEmpty();
        assertThat(request.attachments().get(1).content()).isEqualTo(utf8("hello"));
    }

    @Test
    void rejectsAnAttachmentLargerThanTheLimitAsTooLarge() {
        RequestParser parser = new RequestParser(new RequestLimits(100_000, 10, 2, 2, 100));
        ObjectNode body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("ten.bin", "application/octet-stream", new byte[10]));
        assertThat(parser.parse(bytes(body)).attachments().get(0).content()).hasSize(10);

        body.putArray("attachments").add(Requests.attachment("eleven.bin", "application/octet-stream", new byte[11]));
        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("too-large");
            assertThat(e.detail()).isEqualTo("attachments[0].contentBase64: 11 bytes decoded exceeds the limit of 10");
            assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
        });
    }

    @Test
    void rejectsTooManyAttachments() {
        RequestParser parser = new RequestParser(new RequestLimits(100_000, 10, 2, 2, 100));
        ObjectNode body = Requests.templated();
        ArrayNode attachments = body.putArray("attachments");
        for (int i = 0; i < 3; i++) {
            attachments.add(Requests.attachment(i + ".txt", "text/plain", new byte[1]));
        }

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("attachments: 3 attachments exceed the limit of 2");
        });
    }

    private String rejectionWith(Consumer<ObjectNode> change) {
        ObjectNode body = Requests.templated();
        change.accept(body);
        return detailOf(parser, body);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
