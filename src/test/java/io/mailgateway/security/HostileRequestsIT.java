package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.SharedGateway;

/**
 * Hostile request bodies through the whole gateway: expression and placeholder syntax stays text, names and sizes
 * are bounded, templates come only from the templates folder, attachments only from the request itself.
 */
@ExtendWith(SharedGateway.class)
class HostileRequestsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Property placeholders, Simple expressions and Spring-style expressions that must never be evaluated. */
    private static final String EXPRESSIONS = "{{gateway.smtp.password}} {{env:SMTP_PASSWORD}} {{sys:user.home}}"
            + " ${exchangeProperty.mailRequest} ${sys:user.home} ${body} ${bean:relayGuard?method=checkOpen}"
            + " $simple{exchangeId} #{systemEnvironment}";

    static InJvmGateway gateway;

    @BeforeAll
    static void start(InJvmGateway shared) {
        gateway = shared;
    }

    @Test
    void placeholdersAndExpressionsInInlineContentArriveLiterally() throws Exception {
        String id = "expressions-" + UUID.randomUUID();
        ObjectNode body = request(id);
        body.put("subject", "Subject " + EXPRESSIONS);
        body.put("text", "Text " + EXPRESSIONS);
        body.put("html", "<p>Html " + EXPRESSIONS + "</p>");
        body.putObject("headers").put("X-Campaign", EXPRESSIONS);
        body.putArray("to").addObject().put("address", "frank@example.org").put("name", "Frank " + EXPRESSIONS);
        body.putObject("tags").put("kind", EXPRESSIONS);

        JsonNode result = sendAndAwait(id, body);

        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.at("/tags/kind").asText()).isEqualTo(EXPRESSIONS);
        ReceivedMail mail = gateway.relay().awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example"));
        MimeMessage message = mail.toMimeMessage();
        assertThat(message.getSubject()).isEqualTo("Subject " + EXPRESSIONS);
        Multipart alternative = (Multipart) message.getContent();
        assertThat(((String) alternative.getBodyPart(0).getContent()).strip()).isEqualTo("Text " + EXPRESSIONS);
        assertThat(((String) alternative.getBodyPart(1).getContent()).strip()).isEqualTo("<p>Html " + EXPRESSIONS + "</p>");
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(message.getHeader("X-Campaign", null)))).isEqualTo(EXPRESSIONS);
        assertThat(((InternetAddress) message.getRecipients(MimeMessage.RecipientType.TO)[0]).getPersonal())
                .isEqualTo("Frank " + EXPRESSIONS);
        assertThat(mail.rawAsString() + result).doesNotContain(gateway.relay().password(), System.getProperty("user.home"));
    }

    @Test
    void placeholdersAndExpressionsInTemplateDataAreRenderedAsText() throws Exception {
        String id = "template-data-" + UUID.randomUUID();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("template", "welcome");
        body.putArray("to").add("frank@example.org");
        ObjectNode data = body.putObject("data");
        data.put("name", EXPRESSIONS + " {{brand.name}}");
        data.putObject("brand").put("name", "ACME");

        JsonNode result = sendAndAwait(id, body);

        assertThat(result.get("status").asText()).isEqualTo("SENT");
        MimeMessage message = gateway.relay().awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example")).toMimeMessage();
        assertThat(message.getSubject()).isEqualTo("Welcome to ACME, " + EXPRESSIONS + " {{brand.name}}");
        String text = (String) ((Multipart) message.getContent()).getBodyPart(0).getContent();
        assertThat(text).contains("Hi " + EXPRESSIONS + " {{brand.name}},").doesNotContain(gateway.relay().password());
    }

    @Test
    void recordKeyWithPlaceholdersIsUsedLiterallyForTheResultAndTheDeadLetter() {
        String key = EXPRESSIONS + " " + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, key, "<not json/>".getBytes(StandardCharsets.UTF_8), Map.of());

        JsonNode result = gateway.results().awaitJson(key);

        assertThat(result.get("id").asText()).isEqualTo(key);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(gateway.deadLetters().awaitRecord(key).value()).isEqualTo("<not json/>".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void templateNamesThatAreNotPlainNamesAreRejectedBeforeAnyFileIsRead() {
        for (String template : List.of("../../../etc/passwd", "/etc/passwd", "file:/etc/passwd",
                "classpath:templates/welcome", "http://evil.example/t", "welcome/../order-confirmation", "C:\\\\x")) {
            String id = "template-name-" + UUID.randomUUID();
            ObjectNode body = JSON.createObjectNode();
            body.put("id", id);
            body.put("template", template);
            body.putArray("to").add("frank@example.org");

            JsonNode result = sendAndAwait(id, body);

            assertThat(result.get("status").asText()).as(template).isEqualTo("REJECTED");
            assertThat(result.at("/reason/category").asText()).isEqualTo("invalid-request");
            assertThat(result.at("/reason/detail").asText()).startsWith("template: must match");
        }
    }

    @Test
    void unicodeDomainIsSentInALabelsInTheEnvelopeTheHeadersAndTheResult() throws Exception {
        String id = "idn-" + UUID.randomUUID();
        ObjectNode body = request(id);
        body.putArray("to").add("user@bücher.example");

        JsonNode result = sendAndAwait(id, body);

        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.get("recipients").findValuesAsText("address")).containsExactly("user@xn--bcher-kva.example");
        ReceivedMail mail = gateway.relay().awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example"));
        assertThat(mail.envelopeRecipients()).containsExactly("user@xn--bcher-kva.example");
        assertThat(mail.rawAsString()).contains("To: user@xn--bcher-kva.example").doesNotContain("bücher");
    }

    @Test
    void customHeadersOnTheAllowListArriveAndOthersAreRejectedNamingTheField() throws Exception {
        String allowedId = "allowed-headers-" + UUID.randomUUID();
        ObjectNode allowed = request(allowedId);
        allowed.putObject("headers").put("X-Campaign", "autumn").put("X-Tenant-Id", "t-7");
        String refusedId = "refused-header-" + UUID.randomUUID();
        ObjectNode refused = request(refusedId);
        refused.putObject("headers").put("X-Campaign", "autumn").put("X-Priority", "1");

        JsonNode sent = sendAndAwait(allowedId, allowed);
        JsonNode rejected = sendAndAwait(refusedId, refused);

        assertThat(sent.get("status").asText()).isEqualTo("SENT");
        MimeMessage message = gateway.relay().awaitMessageId(MessageIds.forRequest(allowedId, "noreply@acme.example"))
                .toMimeMessage();
        assertThat(message.getHeader("X-Campaign")).containsExactly("autumn");
        assertThat(message.getHeader("X-Tenant-Id")).containsExactly("t-7");
        assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.at("/reason/detail").asText()).isEqualTo("headers.X-Priority: not an allowed header");
    }

    @Test
    void attachmentAskingTheGatewayToFetchAUrlOrFileIsRejected() {
        for (String field : List.of("url", "href", "path", "uri", "file")) {
            String id = "attachment-" + field + "-" + UUID.randomUUID();
            ObjectNode body = request(id);
            body.putArray("attachments").addObject()
                    .put("filename", "secrets.txt")
                    .put("contentType", "text/plain")
                    .put(field, field.equals("url") || field.equals("href") || field.equals("uri")
                            ? "http://169.254.169.254/latest/meta-data/" : "/etc/passwd");

            JsonNode result = sendAndAwait(id, body);

            assertThat(result.get("status").asText()).isEqualTo("REJECTED");
            assertThat(result.at("/reason/category").asText()).isEqualTo("invalid-request");
            assertThat(result.at("/reason/detail").asText()).contains("attachments[0]." + field + ": unknown property");
        }
    }

    @Test
    void requestJustOverTenMibIsRejectedAsTooLargeAndThePartitionKeepsFlowing() {
        String id = "huge-" + UUID.randomUUID();
        String prefix = "{\"id\": \"" + id + "\", \"to\": [\"frank@example.org\"], \"subject\": \"s\", \"text\": \"";
        String suffix = "\"}";
        int padding = 10 * 1024 * 1024 + 1 - prefix.length() - suffix.length();
        byte[] value = (prefix + "x".repeat(padding) + suffix).getBytes(StandardCharsets.UTF_8);
        assertThat(value).hasSize(10 * 1024 * 1024 + 1);
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, value, Map.of());
        String afterId = "after-huge-" + UUID.randomUUID();

        JsonNode rejected = gateway.results().awaitJson(id);
        JsonNode after = sendAndAwait(afterId, request(afterId));

        assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.at("/reason/category").asText()).isEqualTo("too-large");
        assertThat(rejected.at("/reason/detail").asText()).isEqualTo("body: 10485761 bytes exceeds the limit of 10485760");
        assertThat(after.get("status").asText()).isEqualTo("SENT");
    }

    @Test
    void attachmentOverItsLimitIsRejectedAsTooLarge() {
        String id = "big-attachment-" + UUID.randomUUID();
        ObjectNode body = request(id);
        body.putArray("attachments").add(attachment(5 * 1024 * 1024 + 1));

        JsonNode result = sendAndAwait(id, body);

        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.at("/reason/category").asText()).isEqualTo("too-large");
        assertThat(result.at("/reason/detail").asText()).startsWith("attachments[0].contentBase64: 5242881 bytes");
    }

    @Test
    void messageOverTheMessageLimitIsRejectedAsTooLarge() {
        String id = "big-message-" + UUID.randomUUID();
        ObjectNode body = request(id);
        // each attachment is within its own limit; together, base64-encoded, they exceed the message limit
        int each = SharedGateway.MAX_MESSAGE_BYTES * 3 / 8 + 1;
        body.putArray("attachments").add(attachment(each)).add(attachment(each));

        JsonNode result = sendAndAwait(id, body);

        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("REJECTED");
        assertThat(result.at("/reason/category").asText()).isEqualTo("too-large");
        assertThat(result.at("/reason/detail").asText()).startsWith("message: about").endsWith(
                "exceeds the limit of " + SharedGateway.MAX_MESSAGE_BYTES);
    }

    private static ObjectNode request(String id) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.putArray("to").add("frank@example.org");
        body.put("subject", "Hello");
        body.put("text", "Hello");
        return body;
    }

    private static ObjectNode attachment(int bytes) {
        ObjectNode attachment = JSON.createObjectNode();
        attachment.put("filename", "blob.bin");
        attachment.put("contentType", "application/octet-stream");
        attachment.put("contentBase64", Base64.getEncoder().encodeToString(new byte[bytes]));
        return attachment;
    }

    private static JsonNode sendAndAwait(String id, ObjectNode body) {
        try {
            gateway.kafka().send(InJvmGateway.OUTBOUND, id, JSON.writeValueAsBytes(body), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return gateway.results().awaitJson(id);
    }
}
