package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * The gateway's routes end to end, in this JVM, against a real Kafka broker and a real SMTP relay that requires
 * STARTTLS and AUTH and is trusted only through SMTP_TRUST_CA_FILE.
 */
class GatewayIT {

    private static final String OUTBOUND = InJvmGateway.OUTBOUND;
    private static final String GROUP = InJvmGateway.GROUP;

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static TestRelay relay;
    static KafkaTopics kafka;
    static KafkaTopics.Reader results;
    static KafkaTopics.Reader deadLetters;

    @BeforeAll
    static void start() throws IOException {
        gateway = InJvmGateway.start(work, Map.of());
        relay = gateway.relay();
        kafka = gateway.kafka();
        results = gateway.results();
        deadLetters = gateway.deadLetters();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void templatedRequestIsDeliveredWithEveryPartAndASentResult() throws Exception {
        String id = "ord-1042:" + UUID.randomUUID();
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.4 invoice".getBytes(StandardCharsets.US_ASCII));
        kafka.send(OUTBOUND, id, """
                {"id": "%s", "template": "order-confirmation", "locale": "de-AT",
                 "to": ["alice@example.org", {"address": "bob@example.org", "name": "Bob Müller"}],
                 "cc": ["carol@example.org"], "bcc": ["dave@example.org"],
                 "data": {"name": "Alice", "order": {"no": "A-1042", "total": "99,00 €",
                          "items": [{"name": "Kaffee", "qty": 2, "price": "49,50 €"}]}},
                 "attachments": [{"filename": "invoice.pdf", "contentType": "application/pdf", "contentBase64": "%s"}],
                 "headers": {"X-Campaign": "autumn"},
                 "tags": {"tenant": "acme", "kind": "order"}}
                """.formatted(id, pdf));

        JsonNode result = results.awaitJson(id);
        String messageId = MessageIds.forRequest(id, "shop@acme.example");
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(result.get("messageId").asText()).isEqualTo(messageId);
        assertThat(result.get("attempt").asInt()).isEqualTo(1);
        assertThat(result.at("/smtp/code").asInt()).isEqualTo(250);
        assertThat(result.get("recipients")).hasSize(4);
        result.get("recipients").forEach(r -> assertThat(r.get("status").asText()).isEqualTo("SENT"));
        assertThat(result.at("/tags/kind").asText()).isEqualTo("order");
        assertThat(result.has("reason")).isFalse();
        assertThat(result.get("receivedAt").asText()).endsWith("Z");
        assertThat(result.get("completedAt").asText()).endsWith("Z");

        ReceivedMail mail = relay.awaitMessageId(messageId);
        assertThat(mail.envelopeFrom()).isEqualTo("shop@acme.example");
        assertThat(mail.envelopeRecipients()).containsExactlyInAnyOrder(
                "alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org");
        MimeMessage message = mail.toMimeMessage();
        assertThat(message.getFrom()[0].toString()).isEqualTo("ACME Shop <shop@acme.example>");
        assertThat(message.getReplyTo()[0].toString()).isEqualTo("support@acme.example");
        assertThat(message.getHeader("Bcc")).isNull();
        assertThat(message.getHeader("X-Campaign")).containsExactly("autumn");
        assertThat(message.getHeader("Date")).isNotNull();
        assertThat(message.getSubject()).contains("A-1042");
        assertThat(mail.rawAsString()).contains("=?UTF-8?").doesNotContain("Müller");

        List<Part> leaves = new ArrayList<>();
        collectLeaves(message, leaves);
        assertThat(message.isMimeType("multipart/mixed")).isTrue();
        Part text = leaves.stream().filter(p -> isType(p, "text/plain")).findFirst().orElseThrow();
        Part html = leaves.stream().filter(p -> isType(p, "text/html")).findFirst().orElseThrow();
        Part attachment = leaves.stream().filter(p -> isType(p, "application/pdf")).findFirst().orElseThrow();
        assertThat((String) text.getContent()).contains("Alice", "A-1042", "99,00 €", "Kaffee");
        assertThat((String) html.getContent()).contains("Alice", "A-1042", "Kaffee");
        assertThat(attachment.getFileName()).isEqualTo("invoice.pdf");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo("%PDF-1.4 invoice".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void inlineRequestNeedsNoTemplateAndUsesTheDefaultFrom() throws Exception {
        String id = "inline-" + UUID.randomUUID();
        kafka.send(OUTBOUND, id, """
                {"id": "%s", "to": ["erin@example.org"], "subject": "Grüße {{name}}",
                 "text": "plain ${body} {{name}}", "html": "<p>inline</p>"}
                """.formatted(id));

        JsonNode result = results.awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        MimeMessage message = relay.awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example")).toMimeMessage();
        assertThat(message.getFrom()[0].toString()).isEqualTo("noreply@acme.example");
        assertThat(message.getSubject()).isEqualTo("Grüße {{name}}");
        assertThat(message.isMimeType("multipart/alternative")).isTrue();
        Multipart alternative = (Multipart) message.getContent();
        assertThat((String) alternative.getBodyPart(0).getContent()).isEqualTo("plain ${body} {{name}}");
    }

    @Test
    void requestWhoseIdAlreadyCompletedGetsItsResultReplayedInsteadOfASecondMail() {
        String id = "once-" + UUID.randomUUID();
        String request = """
                {"id": "%s", "to": ["once@example.org"], "subject": "only once", "text": "t"}""".formatted(id);
        kafka.send(OUTBOUND, id, request);
        JsonNode original = results.awaitStatus(id, "SENT");
        String messageId = MessageIds.forRequest(id, "noreply@acme.example");
        relay.awaitMessageId(messageId);

        kafka.send(OUTBOUND, id, request);

        await().atMost(Duration.ofSeconds(30)).until(() -> results.allJson(id).size() == 2);
        JsonNode replay = results.allJson(id).get(1);
        assertThat(replay.get("replay").asBoolean()).isTrue();
        assertThat(replay.get("status").asText()).isEqualTo("SENT");
        assertThat(replay.get("messageId")).isEqualTo(original.get("messageId"));
        assertThat(replay.get("completedAt")).isEqualTo(original.get("completedAt"));
        assertThat(relay.server().received()).filteredOn(mail -> messageId.equals(messageIdOf(mail))).hasSize(1);
    }

    @Test
    void invalidRequestsAreRejectedWithTheirReasonAndThePartitionKeepsFlowing() {
        String prefix = UUID.randomUUID() + "-";
        kafka.send(OUTBOUND, prefix + "schema", """
                {"id": "%sschema", "to": ["not-an-address"], "subject": "s", "text": "t"}""".formatted(prefix));
        kafka.send(OUTBOUND, prefix + "template", """
                {"id": "%stemplate", "template": "no-such-template", "to": ["a@example.org"]}""".formatted(prefix));
        kafka.send(OUTBOUND, prefix + "variable", """
                {"id": "%svariable", "template": "order-confirmation", "to": ["a@example.org"],
                 "data": {"name": "Alice"}}""".formatted(prefix));
        kafka.send(OUTBOUND, prefix + "sender", """
                {"id": "%ssender", "from": "boss@evil.example", "to": ["a@example.org"], "subject": "s", "text": "t"}"""
                .formatted(prefix));
        kafka.send(OUTBOUND, prefix + "not-json", "this is not JSON");
        long validOffset = kafka.send(OUTBOUND, prefix + "valid", """
                {"id": "%svalid", "to": ["a@example.org"], "subject": "after the bad ones", "text": "t"}"""
                .formatted(prefix));

        assertRejected(prefix + "schema", "invalid-request", "to[0]");
        assertRejected(prefix + "template", "template-not-found", "no-such-template");
        assertRejected(prefix + "variable", "render-failed", "order");
        assertRejected(prefix + "sender", "sender-not-allowed", "evil.example");
        assertRejected(prefix + "not-json", "invalid-request", "body");
        assertThat(results.awaitJson(prefix + "valid").get("status").asText()).isEqualTo("SENT");
        // The offset is committed only once the result is on the results topic.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kafka.committedOffset(GROUP, OUTBOUND, 0) >= validOffset + 1);
    }

    @Test
    void recordThatIsNotJsonGoesToTheDeadLetterTopicAsItWas() {
        String key = "raw-" + UUID.randomUUID();
        byte[] raw = {(byte) 0xff, (byte) 0xfe, 'x', 0, '{'};
        kafka.send(OUTBOUND, key, raw, Map.of());

        assertRejected(key, "invalid-request", "body");
        ConsumerRecord<String, byte[]> deadLetter = deadLetters.awaitRecord(key);
        assertThat(deadLetter.value()).isEqualTo(raw);
    }

    @Test
    void recordWithoutKeyOrIdIsReportedUnderTopicPartitionOffset() {
        long offset = kafka.send(OUTBOUND, null, "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), Map.of());

        assertRejected(OUTBOUND + "-0-" + offset, "invalid-request", "body");
    }

    @Test
    void relayRejectingTheMessageGivesFailedWithTheReplyCode() {
        String id = "refused-" + UUID.randomUUID();
        relay.server().rejectMessages(554, "5.7.1 message refused by policy");
        try {
            kafka.send(OUTBOUND, id, """
                    {"id": "%s", "to": ["a@example.org"], "subject": "s", "text": "t"}""".formatted(id));
            JsonNode result = results.awaitJson(id);
            assertThat(result.get("status").asText()).isEqualTo("FAILED");
            assertThat(result.get("terminal").asBoolean()).isTrue();
            assertThat(result.at("/smtp/code").asInt()).isEqualTo(554);
            assertThat(result.at("/smtp/enhancedStatus").asText()).isEqualTo("5.7.1");
            assertThat(result.at("/reason/category").asText()).isEqualTo("message-rejected");
        } finally {
            relay.server().clearFaults();
        }
    }

    @Test
    void relayDeferringTheMessageGivesADeferredResultAndTheRetrySendsIt() {
        String id = "deferred-" + UUID.randomUUID();
        relay.server().rejectMessages(451, "4.3.0 try again later");
        try {
            kafka.send(OUTBOUND, id, """
                    {"id": "%s", "to": ["a@example.org"], "subject": "s", "text": "t"}""".formatted(id));
            JsonNode deferred = results.awaitStatus(id, "DEFERRED");
            assertThat(deferred.get("terminal").asBoolean()).isFalse();
            assertThat(deferred.at("/reason/category").asText()).isEqualTo("relay-unavailable");
            assertThat(deferred.at("/smtp/code").asInt()).isEqualTo(451);
        } finally {
            relay.server().clearFaults();
        }
        JsonNode sent = results.awaitStatus(id, "SENT");
        assertThat(sent.get("terminal").asBoolean()).isTrue();
        assertThat(sent.get("attempt").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(relay.awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example")).envelopeRecipients())
                .containsExactly("a@example.org");
    }

    @Test
    void requestDeferredPastItsMaximumAgeExpires() {
        String id = "expired-" + UUID.randomUUID();
        relay.server().rejectMessages(451, "4.3.0 try again later");
        try {
            kafka.send(OUTBOUND, id, """
                    {"id": "%s", "to": ["a@example.org"], "subject": "s", "text": "t"}""".formatted(id));
            JsonNode expired = results.awaitStatus(id, "EXPIRED");
            assertThat(expired.get("terminal").asBoolean()).isTrue();
            assertThat(expired.at("/reason/category").asText()).isEqualTo("expired");
            assertThat(expired.get("attempt").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(results.allJson(id)).filteredOn(r -> r.get("terminal").asBoolean()).hasSize(1);
        } finally {
            relay.server().clearFaults();
        }
    }

    @Test
    void recipientDeferredAtRcptIsRetriedAloneAndTheOthersGetTheMailOnce() {
        String id = "rcpt-deferred-" + UUID.randomUUID();
        relay.server().rejectRecipient("later@example.org", 450, "4.2.1 mailbox busy");
        try {
            kafka.send(OUTBOUND, id, """
                    {"id": "%s", "to": ["now@example.org", "later@example.org"], "subject": "s", "text": "t"}"""
                    .formatted(id));
            JsonNode deferred = results.awaitStatus(id, "DEFERRED");
            assertThat(deferred.get("recipients").findValuesAsText("status")).containsExactly("SENT", "DEFERRED");
        } finally {
            relay.server().clearFaults();
        }
        JsonNode sent = results.awaitStatus(id, "SENT");
        assertThat(sent.get("recipients").findValuesAsText("address"))
                .containsExactlyInAnyOrder("now@example.org", "later@example.org");
        assertThat(sent.get("recipients").findValuesAsText("status")).containsOnly("SENT");
        String messageId = MessageIds.forRequest(id, "noreply@acme.example");
        await().atMost(Duration.ofSeconds(30)).until(() -> envelopesOf(messageId).size() == 2);
        assertThat(envelopesOf(messageId)).containsExactly(List.of("now@example.org"), List.of("later@example.org"));
    }

    private static List<List<String>> envelopesOf(String messageId) {
        return relay.server().received().stream()
                .filter(mail -> messageId.equals(messageIdOf(mail)))
                .map(ReceivedMail::envelopeRecipients)
                .toList();
    }

    private static String messageIdOf(ReceivedMail mail) {
        try {
            return mail.toMimeMessage().getMessageID();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void recipientRefusedByTheRelayIsReportedWhileTheOthersAreSent() {
        String id = "partial-" + UUID.randomUUID();
        relay.server().rejectRecipient("nobody@example.org", 550, "5.1.1 user unknown");
        try {
            kafka.send(OUTBOUND, id, """
                    {"id": "%s", "to": ["nobody@example.org", "somebody@example.org"], "subject": "s", "text": "t"}"""
                    .formatted(id));
            JsonNode result = results.awaitJson(id);
            assertThat(result.get("status").asText()).isEqualTo("SENT");
            JsonNode refused = result.get("recipients").get(0);
            assertThat(refused.get("address").asText()).isEqualTo("nobody@example.org");
            assertThat(refused.get("status").asText()).isEqualTo("FAILED");
            assertThat(refused.get("code").asInt()).isEqualTo(550);
            assertThat(refused.get("enhancedStatus").asText()).isEqualTo("5.1.1");
            assertThat(result.get("recipients").get(1).get("status").asText()).isEqualTo("SENT");
            assertThat(relay.awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example")).envelopeRecipients())
                    .containsExactly("somebody@example.org");
        } finally {
            relay.server().clearFaults();
        }
    }

    @Test
    void kafkaRecordHeadersNeverReachTheMail() throws Exception {
        String id = "headers-" + UUID.randomUUID();
        Map<String, String> hostile = Map.of(
                "To", "mallory-to@evil.example",
                "Cc", "mallory-cc@evil.example",
                "Bcc", "mallory-bcc@evil.example",
                "From", "ceo@acme.example",
                "Subject", "hijacked subject",
                "Reply-To", "mallory-reply@evil.example",
                "X-Internal-Secret", "s3cr3t-value",
                "mail.smtp.host", "evil.example");
        kafka.send(OUTBOUND, id, """
                {"id": "%s", "to": ["frank@example.org"], "subject": "the real subject", "text": "body"}"""
                .formatted(id).getBytes(StandardCharsets.UTF_8), hostile);

        assertThat(results.awaitJson(id).get("status").asText()).isEqualTo("SENT");
        ReceivedMail mail = relay.awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example"));
        assertThat(mail.envelopeRecipients()).containsExactly("frank@example.org");
        assertThat(mail.envelopeFrom()).isEqualTo("noreply@acme.example");
        MimeMessage message = mail.toMimeMessage();
        assertThat(message.getSubject()).isEqualTo("the real subject");
        assertThat(message.getHeader("X-Internal-Secret")).isNull();
        assertThat(message.getHeader("Cc")).isNull();
        assertThat(message.getHeader("Reply-To")).isNull();
        assertThat(mail.rawAsString()).doesNotContain("evil.example", "s3cr3t-value", "hijacked", "ceo@");
    }

    private static void assertRejected(String id, String category, String detailMentions) {
        JsonNode result = results.awaitJson(id);
        assertThat(result.get("id").asText()).isEqualTo(id);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(result.at("/reason/category").asText()).isEqualTo(category);
        assertThat(result.at("/reason/detail").asText()).contains(detailMentions);
        assertThat(result.has("smtp")).isFalse();
        assertThat(result.has("messageId")).isFalse();
    }

    private static boolean isType(Part part, String type) {
        try {
            return part.isMimeType(type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void collectLeaves(Part part, List<Part> leaves) throws Exception {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                collectLeaves(child, leaves);
            }
        } else {
            leaves.add(part);
        }
    }
}
