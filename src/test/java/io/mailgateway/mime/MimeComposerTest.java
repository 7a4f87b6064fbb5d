package io.mailgateway.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import jakarta.mail.BodyPart;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import org.junit.jupiter.api.Test;

import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.Attachment;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/** Specifies the MIME structure, encodings and headers of the messages the gateway composes. */
class MimeComposerTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final long NO_LIMIT = 25L * 1024 * 1024;
    private static final Session PARSING = Session.getInstance(new Properties());

    /** What Angus's SMTPTransport leaves out when it writes a message to the relay (SMTPTransport.ignoreList). */
    private static final String[] SMTP_IGNORE_LIST = {"Bcc", "Content-Length"};

    private static final MailAddress FROM = new MailAddress("shop@acme.example", "ACME Shop");
    private static final MailAddress ALICE = new MailAddress("alice@example.org", "Alice");

    private final MimeComposer composer = new MimeComposer(NO_LIMIT, CLOCK);

    // --- structure ------------------------------------------------------------------------------------------------

    @Test
    void textAndHtmlBecomeMultipartAlternativeWithTextFirstAndHtmlLast() throws Exception {
        MimeMessage sent = writtenAndReadBack(composer.compose(request(), content("Hi", "<p>Hello</p>", "Hello")));

        assertThat(sent.isMimeType("multipart/alternative")).isTrue();
        Multipart alternative = (Multipart) sent.getContent();
        assertThat(alternative.getCount()).isEqualTo(2);
        assertThat(alternative.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Hello");
        assertThat(alternative.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>Hello</p>");
    }

    @Test
    void htmlOnlyIsASingleHtmlPart() throws Exception {
        MimeMessage sent = writtenAndReadBack(composer.compose(request(), content("Hi", "<p>Hello</p>", null)));

        assertThat(sent.isMimeType("text/html")).isTrue();
        assertThat(sent.getContent()).isEqualTo("<p>Hello</p>");
    }

    @Test
    void textOnlyIsASingleTextPart() throws Exception {
        MimeMessage sent = writtenAndReadBack(composer.compose(request(), content("Hi", null, "Hello")));

        assertThat(sent.isMimeType("text/plain")).isTrue();
        assertThat(sent.getContent()).isEqualTo("Hello");
    }

    @Test
    void everyTextPartIsUtf8AndNonAsciiTextSurvivesTheRoundTrip() throws Exception {
        String text = "Grüße aus Wien – 99,00 €";
        String html = "<p>Grüße aus Wien – 99,00 €</p>";

        MimeMessage sent = writtenAndReadBack(composer.compose(request(), content("Hi", html, text)));

        Multipart alternative = (Multipart) sent.getContent();
        for (int i = 0; i < alternative.getCount(); i++) {
            assertThat(charsetOf(alternative.getBodyPart(i))).isEqualToIgnoringCase("UTF-8");
        }
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(text);
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo(html);
        assertThat(charsetOf(writtenAndReadBack(composer.compose(request(), content("Hi", null, text)))))
                .isEqualToIgnoringCase("UTF-8");
        assertThat(charsetOf(writtenAndReadBack(composer.compose(request(), content("Hi", html, null)))))
                .isEqualToIgnoringCase("UTF-8");
    }

    @Test
    void theWrittenMessageIsSevenBitAsciiEvenWithNonAsciiContent() throws Exception {
        MailRequest request = request(b -> b.to = List.of(new MailAddress("juergen@example.org", "Jürgen Müller")));

        byte[] written = written(composer.compose(request, content("Grüße", "<p>Grüße</p>", "Grüße")), new String[0]);

        for (byte b : written) {
            assertThat(b & 0xff).as("byte of the written message").isLessThan(0x80);
        }
    }

    // --- attachments ----------------------------------------------------------------------------------------------

    @Test
    void attachmentsMakeMultipartMixedWithTheBodyFirstAndEachAttachmentAsABase64Part() throws Exception {
        byte[] pdf = everyByteValue();
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
        MailRequest request = request(b -> b.attachments = List.of(
                new Attachment("invoice.pdf", "application/pdf", pdf),
                new Attachment("logo.png", "image/png", png)));

        MimeMessage sent = writtenAndReadBack(composer.compose(request, content("Hi", "<p>Hello</p>", "Hello")));

        assertThat(sent.isMimeType("multipart/mixed")).isTrue();
        Multipart mixed = (Multipart) sent.getContent();
        assertThat(mixed.getCount()).isEqualTo(3);
        assertThat(mixed.getBodyPart(0).isMimeType("multipart/alternative")).isTrue();
        assertAttachment(mixed.getBodyPart(1), "invoice.pdf", "application/pdf", pdf);
        assertAttachment(mixed.getBodyPart(2), "logo.png", "image/png", png);
    }

    @Test
    void aSingleBodyPartStaysASinglePartBeforeTheAttachments() throws Exception {
        MailRequest request = request(b -> b.attachments = List.of(new Attachment("a.txt", "text/plain", utf8("plain"))));

        MimeMessage sent = writtenAndReadBack(composer.compose(request, content("Hi", null, "Hello")));

        Multipart mixed = (Multipart) sent.getContent();
        assertThat(mixed.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(mixed.getBodyPart(0).getContent()).isEqualTo("Hello");
        assertThat(mixed.getBodyPart(0).getDisposition()).isNull();
        // even a text attachment is sent as base64, byte for byte
        assertAttachment(mixed.getBodyPart(1), "a.txt", "text/plain", utf8("plain"));
    }

    // --- headers --------------------------------------------------------------------------------------------------

    @Test
    void aNonAsciiSubjectIsWrittenAsAnEncodedWordAndDecodesBack() throws Exception {
        String subject = "Ihre Bestellung über 99,00 € – Grüße";
        OutboundMessage message = composer.compose(request(), content(subject, null, "Hello"));

        String subjectHeader = rawHeader(written(message, SMTP_IGNORE_LIST), "Subject");

        assertThat(subjectHeader).startsWith("=?UTF-8?").doesNotContain("ü", "€");
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(subjectHeader))).isEqualTo(subject);
        assertThat(writtenAndReadBack(message).getSubject()).isEqualTo(subject);
    }

    @Test
    void nonAsciiDisplayNamesAreWrittenAsEncodedWordsAndDecodeBack() throws Exception {
        MailRequest request = request(b -> {
            b.from = new MailAddress("shop@acme.example", "Café Größe");
            b.to = List.of(new MailAddress("juergen@example.org", "Jürgen Müller"));
        });
        OutboundMessage message = composer.compose(request, content("Hi", null, "Hello"));

        byte[] written = written(message, SMTP_IGNORE_LIST);

        assertThat(rawHeader(written, "From")).contains("=?UTF-8?").contains("<shop@acme.example>").doesNotContain("é");
        assertThat(rawHeader(written, "To")).contains("=?UTF-8?").contains("<juergen@example.org>").doesNotContain("ü");
        MimeMessage sent = readBack(written);
        assertThat(((InternetAddress) sent.getFrom()[0]).getPersonal()).isEqualTo("Café Größe");
        assertThat(((InternetAddress) sent.getRecipients(RecipientType.TO)[0]).getPersonal()).isEqualTo("Jürgen Müller");
    }

    @Test
    void fromReplyToToAndCcAreWrittenAsTheRequestNamesThem() throws Exception {
        MailRequest request = request(b -> {
            b.replyTo = new MailAddress("support@acme.example", null);
            b.to = List.of(ALICE, new MailAddress("bob@example.org", null));
            b.cc = List.of(new MailAddress("carol@example.org", null));
        });

        MimeMessage sent = writtenAndReadBack(composer.compose(request, content("Hi", null, "Hello")));

        assertThat(sent.getFrom()).containsExactly(new InternetAddress("shop@acme.example", "ACME Shop", "UTF-8"));
        assertThat(sent.getReplyTo()).containsExactly(new InternetAddress("support@acme.example"));
        assertThat(sent.getRecipients(RecipientType.TO)).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("alice@example.org", "bob@example.org");
        assertThat(sent.getRecipients(RecipientType.CC)).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("carol@example.org");
    }

    @Test
    void withoutReplyToCcOrBccNoSuchHeaderIsWritten() throws Exception {
        MimeMessage sent = writtenAndReadBack(composer.compose(request(), content("Hi", null, "Hello")));

        assertThat(sent.getHeader("Reply-To")).isNull();
        assertThat(sent.getHeader("Cc")).isNull();
        assertThat(sent.getHeader("Bcc")).isNull();
    }

    @Test
    void theDateHeaderComesFromTheClock() throws Exception {
        OutboundMessage message = composer.compose(request(), content("Hi", null, "Hello"));

        assertThat(message.getSentDate()).isEqualTo(Date.from(NOW));
        assertThat(writtenAndReadBack(message).getSentDate()).isEqualTo(Date.from(NOW));
    }

    @Test
    void theMessageIdDerivesFromTheRequestIdAndTheSendersDomain() throws Exception {
        OutboundMessage message = composer.compose(request(), content("Hi", null, "Hello"));

        String expected = MessageIds.forRequest("ord-1042-confirmation", "shop@acme.example");
        assertThat(message.getMessageID()).isEqualTo(expected);
        assertThat(message.messageId()).isEqualTo(expected);
        assertThat(message.requestId()).isEqualTo("ord-1042-confirmation");
        assertThat(rawHeader(written(message, SMTP_IGNORE_LIST), "Message-ID")).isEqualTo(expected);
    }

    @Test
    void theMessageIdSurvivesAnotherSaveChanges() throws Exception {
        OutboundMessage message = composer.compose(request(), content("Hi", null, "Hello"));
        String before = message.getMessageID();

        // Transport.send calls saveChanges() again, which would give a plain MimeMessage a new random Message-ID.
        message.saveChanges();

        assertThat(message.getMessageID()).isEqualTo(before);
        assertThat(message.getHeader("Message-ID")).containsExactly(before);
        assertThat(message.getSentDate()).isEqualTo(Date.from(NOW));
    }

    @Test
    void composingTheSameRequestTwiceGivesTheSameMessageId() throws Exception {
        OutboundMessage first = composer.compose(request(), content("Hi", null, "Hello"));
        OutboundMessage second = new MimeComposer(NO_LIMIT, Clock.offset(CLOCK, Duration.ofMinutes(5)))
                .compose(request(), content("Hi", null, "Hello"));

        assertThat(second.getMessageID()).isEqualTo(first.getMessageID());
    }

    @Test
    void anotherRequestIdGivesAnotherMessageId() throws Exception {
        OutboundMessage first = composer.compose(request(), content("Hi", null, "Hello"));
        OutboundMessage other = composer.compose(request(b -> b.id = "ord-1043-confirmation"), content("Hi", null, "Hello"));

        assertThat(other.getMessageID()).isNotEqualTo(first.getMessageID());
    }

    @Test
    void bccRecipientsAreEnvelopeRecipientsButNotInTheHeaderTheRelayReceives() throws Exception {
        MailRequest request = request(b -> {
            b.cc = List.of(new MailAddress("carol@example.org", null));
            b.bcc = List.of(new MailAddress("audit@acme.example", null));
        });
        OutboundMessage message = composer.compose(request, content("Hi", null, "Hello"));

        assertThat(message.getAllRecipients()).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactlyInAnyOrder("alice@example.org", "carol@example.org", "audit@acme.example");
        // MimeMessage.writeTo(out) alone would write the Bcc header; Angus's SMTPTransport writes the message
        // with the ignore list {"Bcc", "Content-Length"}, so that is what the relay receives.
        String written = new String(written(message, SMTP_IGNORE_LIST), StandardCharsets.US_ASCII);
        assertThat(headerBlock(written)).doesNotContainIgnoringCase("Bcc:").doesNotContain("audit@acme.example");
        assertThat(headerBlock(written)).contains("carol@example.org");
    }

    @Test
    void customHeadersAreWrittenAndNonAsciiValuesEncoded() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Campaign", "autumn");
        headers.put("X-Customer", "Jürgen Müller");
        MailRequest request = request(b -> b.headers = headers);

        byte[] written = written(composer.compose(request, content("Hi", null, "Hello")), SMTP_IGNORE_LIST);

        assertThat(rawHeader(written, "X-Campaign")).isEqualTo("autumn");
        String customer = rawHeader(written, "X-Customer");
        assertThat(customer).startsWith("=?UTF-8?").doesNotContain("ü");
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(customer))).isEqualTo("Jürgen Müller");
    }

    // --- size -----------------------------------------------------------------------------------------------------

    @Test
    void aMessageEstimatedOverTheLimitIsTooLarge() {
        MimeComposer small = new MimeComposer(1000, CLOCK);
        // 600 bytes are under the limit, but base64 makes 800 of them, and the text adds 300 more
        MailRequest request = request(b -> b.attachments = List.of(new Attachment("a.bin", "application/octet-stream",
                new byte[600])));

        RequestRejectedException e = catchThrowableOfType(RequestRejectedException.class,
                () -> small.compose(request, content("Hi", null, "x".repeat(300))));

        assertThat(e).isNotNull();
        assertThat(e.category()).isEqualTo("too-large");
        assertThat(e.detail()).startsWith("message:").contains("1000");
        assertThat(e.requestId()).isEqualTo("ord-1042-confirmation");
        assertThat(e.tags()).containsEntry("tenant", "acme");
    }

    @Test
    void nonAsciiTextCountsWithItsUtf8Length() {
        MimeComposer small = new MimeComposer(100, CLOCK);

        // 60 characters, 120 bytes in UTF-8
        RequestRejectedException e = catchThrowableOfType(RequestRejectedException.class,
                () -> small.compose(request(), content("", null, "ü".repeat(60))));

        assertThat(e).isNotNull();
        assertThat(e.category()).isEqualTo("too-large");
    }

    @Test
    void nonAsciiTextWithinTheLimitByItsUtf8LengthIsComposed() throws Exception {
        MimeComposer small = new MimeComposer(100, CLOCK);

        // 40 characters, 80 bytes in UTF-8: three bytes a character would be over the limit, the real count is not
        OutboundMessage message = small.compose(request(), content("", null, "ü".repeat(40)));

        assertThat(message.getContent()).isEqualTo("ü".repeat(40));
    }

    @Test
    void aMessageWithinTheLimitIsComposed() throws Exception {
        MimeComposer small = new MimeComposer(1000, CLOCK);

        OutboundMessage message = small.compose(request(), content("Hi", null, "x".repeat(998)));

        assertThat(message.getContent()).isEqualTo("x".repeat(998));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static void assertAttachment(BodyPart part, String filename, String contentType, byte[] content)
            throws MessagingException, IOException {
        assertThat(part.getFileName()).isEqualTo(filename);
        assertThat(part.isMimeType(contentType)).as(part.getContentType()).isTrue();
        assertThat(part.getDisposition()).isEqualToIgnoringCase(Part.ATTACHMENT);
        assertThat(part.getHeader("Content-Transfer-Encoding")).containsExactly("base64");
        try (InputStream in = part.getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    private static String charsetOf(Part part) throws MessagingException {
        return new ContentType(part.getContentType()).getParameter("charset");
    }

    private static byte[] written(MimeMessage message, String[] ignoreList) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out, ignoreList);
        return out.toByteArray();
    }

    private static MimeMessage writtenAndReadBack(MimeMessage message) throws IOException, MessagingException {
        return readBack(written(message, SMTP_IGNORE_LIST));
    }

    private static MimeMessage readBack(byte[] written) throws MessagingException {
        return new MimeMessage(PARSING, new ByteArrayInputStream(written));
    }

    /** The header block of a written message, up to the first empty line. */
    private static String headerBlock(String written) {
        return written.substring(0, written.indexOf("\r\n\r\n") + 2);
    }

    /** A header's value as written (still folded and encoded), from the top-level header block. */
    private static String rawHeader(byte[] written, String name) {
        String headers = headerBlock(new String(written, StandardCharsets.ISO_8859_1));
        String value = null;
        for (String line : headers.split("\r\n(?![ \t])")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                assertThat(value).as("only one " + name + " header").isNull();
                value = line.substring(name.length() + 1).strip();
            }
        }
        assertThat(value).as(name + " header").isNotNull();
        return value;
    }

    private static byte[] everyByteValue() {
        byte[] bytes = new byte[512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static RenderedContent content(String subject, String html, String text) {
        return new RenderedContent(subject, html, text, "default");
    }

    private static MailRequest request() {
        return request(b -> { });
    }

    private static MailRequest request(Consumer<RequestBuilder> changes) {
        RequestBuilder builder = new RequestBuilder();
        changes.accept(builder);
        return builder.build();
    }

    /** A valid, enriched request that tests change one field at a time. */
    private static final class RequestBuilder {
        String id = "ord-1042-confirmation";
        MailAddress from = FROM;
        MailAddress replyTo;
        List<MailAddress> to = List.of(ALICE);
        List<MailAddress> cc = List.of();
        List<MailAddress> bcc = List.of();
        List<Attachment> attachments = List.of();
        Map<String, String> headers = Map.of();

        MailRequest build() {
            return new MailRequest(id, null, null, from, replyTo, to, cc, bcc, null, null, null, null, attachments,
                    headers, Map.of("tenant", "acme"));
        }
    }
}
