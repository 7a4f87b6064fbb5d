package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.request.RequestRejectedException;
import org.eclipse.angus.mail.util.ASCIIUtility;

/**
 * Characters whose low byte is CR or LF (U+010D "č", U+010A "Ċ", U+560D, U+560A, U+FF0D, U+FF0A) are kept, encoded,
 * in every header field that can be encoded, and refused where nothing can be encoded (a local part).
 */
class LineBreakLookAlikesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());
    private final MimeComposer composer = new MimeComposer(10_000_000,
            Clock.fixed(Instant.parse("2026-01-15T10:00:00Z"), ZoneOffset.UTC));

    /** Pairs that become "\r\n" when each character is cut to its low byte, each followed by a would-be header. */
    static Stream<String> lookAlikes() {
        return Stream.of("\u010D\u010A", "\u560D\u560A", "\uFF0D\uFF0A").map(pair -> pair + "X-Injected: yes");
    }

    @Test
    void aWriterCuttingCharactersToOneByteTurnsTheLookAlikesIntoALineBreak() {
        // The hazard itself: how Angus encodes SMTP commands, and header lines of a message read from a stream,
        // unless UTF-8 is enabled.
        byte[] cut = ASCIIUtility.getBytes("RCPT TO:<x\u010D\u010ARCPT TO:<mallory@evil.example>");

        assertThat(new String(cut, StandardCharsets.ISO_8859_1)).contains("\r\nRCPT TO:<mallory@evil.example>");
    }

    @ParameterizedTest
    @MethodSource("lookAlikes")
    void lookAlikesInEveryHeaderBoundFieldAreWrittenEncodedAndNeverStartAHeader(String text) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "look-alike-1");
        body.put("subject", "Order " + text);
        body.put("text", "body");
        body.putObject("from").put("address", "shop@acme.example").put("name", "Shop " + text);
        body.putObject("replyTo").put("address", "help@acme.example").put("name", "Help " + text);
        body.putArray("to").addObject().put("address", "alice@example.org").put("name", "Alice " + text);
        body.putArray("cc").addObject().put("address", "carol@example.org").put("name", "Carol " + text);
        body.putObject("headers").put("X-Campaign", "autumn " + text);
        body.putArray("attachments").addObject()
                .put("filename", "invoice " + text + ".pdf")
                .put("contentType", "application/pdf; name=\"invoice " + text + ".pdf\"")
                .put("contentBase64", "JVBERg==");

        MailRequest request = parser.parse(JSON.writeValueAsBytes(body));
        OutboundMessage message = composer.compose(request,
                new RenderedContent(request.subject(), null, request.text(), null));

        List<String> lines = lines(message);
        assertThat(lines).noneMatch(line -> line.startsWith("X-Injected"));
        // the message is ASCII, so the pair cannot be in it raw, cut or whole
        assertThat(new String(written(message), StandardCharsets.ISO_8859_1)).matches("[\\x00-\\x7f]*");
        // encoded, not lost: every value reads back as given
        MimeMessage received = reparse(message);
        assertThat(received.getSubject()).isEqualTo("Order " + text);
        assertThat(((InternetAddress) received.getFrom()[0]).getPersonal()).isEqualTo("Shop " + text);
        assertThat(((InternetAddress) received.getReplyTo()[0]).getPersonal()).isEqualTo("Help " + text);
        assertThat(((InternetAddress) received.getRecipients(MimeMessage.RecipientType.TO)[0]).getPersonal())
                .isEqualTo("Alice " + text);
        assertThat(((InternetAddress) received.getRecipients(MimeMessage.RecipientType.CC)[0]).getPersonal())
                .isEqualTo("Carol " + text);
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(received.getHeader("X-Campaign", null)))
                .isEqualTo("autumn " + text);
        BodyPart attachment = ((Multipart) received.getContent()).getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo("invoice " + text + ".pdf");
    }

    @ParameterizedTest
    @MethodSource("lookAlikes")
    void lookAlikesInASenderLocalPartAreRejected(String text) {
        for (String field : List.of("from", "replyTo")) {
            ObjectNode body = inline();
            body.put(field, "shop" + text.substring(0, 2) + "bcc@acme.example");

            assertThatThrownBy(() -> parser.parse(JSON.writeValueAsBytes(body)))
                    .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                        assertThat(e.category()).isEqualTo("invalid-request");
                        assertThat(e.detail()).isEqualTo(field + ": not an address");
                    });
        }
    }

    @ParameterizedTest
    @MethodSource("lookAlikes")
    void lookAlikesInADomainBecomeALabelsOrAreRejectedButNeverReachTheWireRaw(String text) throws Exception {
        ObjectNode body = inline();
        body.putArray("to").add("alice@exa" + text.substring(0, 2) + "mple.org");

        try {
            MailRequest request = parser.parse(JSON.writeValueAsBytes(body));
            assertThat(request.to().get(0).address()).startsWith("alice@xn--").endsWith(".org")
                    .matches("[\\x21-\\x7e]+");
        } catch (RequestRejectedException e) {
            // fullwidth "＊" maps to "*", which no host name may hold
            assertThat(e.detail()).isEqualTo("to[0]: not an address");
        }
    }

    /**
     * The look-alikes, and a supplementary character whose surrogate ends in a line-break byte: U+12800 is written
     * as the UTF-16 units D80A DC00, and cut to bytes the first becomes LF.
     */
    static Stream<String> lookAlikesAndASurrogatePair() {
        return Stream.concat(lookAlikes(), Stream.of("\uD80A\uDC00"));
    }

    @ParameterizedTest
    @MethodSource("lookAlikesAndASurrogatePair")
    void lookAlikesInARecipientLocalPartAreRejectedBecauseALocalPartCannotBeEncoded(String text) {
        ObjectNode body = inline();
        body.putArray("to").add("x" + text.substring(0, 2) + "bcc@example.org");

        assertThatThrownBy(() -> parser.parse(JSON.writeValueAsBytes(body)))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.detail()).isEqualTo("to[0]: not an address"));
    }

    private static ObjectNode inline() {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "look-alike-2");
        body.put("subject", "s");
        body.put("text", "t");
        body.put("from", "shop@acme.example");
        body.putArray("to").add("alice@example.org");
        return body;
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** The written message split at CRLF; a bare CR or LF anywhere fails the test. */
    private static List<String> lines(MimeMessage message) throws Exception {
        String text = new String(written(message), StandardCharsets.ISO_8859_1);
        assertThat(text.replace("\r\n", "")).as("bare CR or LF in the written message").doesNotContain("\r", "\n");
        return List.of(text.split("\r\n"));
    }

    private static MimeMessage reparse(MimeMessage message) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(written(message)));
    }
}
