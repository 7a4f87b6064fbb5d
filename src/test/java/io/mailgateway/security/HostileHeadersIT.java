package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Header;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.SharedGateway;

/**
 * A producer may only ask for a mail: Kafka record headers, whatever their name or case, never add recipients,
 * change the message, reconfigure the mail session, pick a template or redirect the result.
 */
@ExtendWith(SharedGateway.class)
class HostileHeadersIT {

    private static final String STOLEN = SharedGateway.FORBIDDEN_TOPIC;

    static InJvmGateway gateway;
    static ScriptedSmtpServer decoy;
    static KafkaTopics.Reader stolen;

    @BeforeAll
    static void start(InJvmGateway shared) {
        gateway = shared;
        // where a redirected session would deliver: any connection to it is a failure
        decoy = ScriptedSmtpServer.builder().start();
        stolen = gateway.kafka().read(STOLEN);
    }

    @AfterAll
    static void stop() {
        stolen.close();
        decoy.close();
    }

    /** Record headers a hostile producer might set, each with a value that gives it away if it leaks. */
    private static Map<String, String> hostileHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        // mail headers and their case variants, which camel-mail 4.18 would read as recipients or copy into the mail
        headers.put("To", "mallory-to@evil.example");
        headers.put("to", "mallory-to-lower@evil.example");
        headers.put("Cc", "mallory-cc@evil.example");
        headers.put("Bcc", "mallory-bcc@evil.example");
        headers.put("bCC", "mallory-bcc-mixed@evil.example");
        headers.put("From", "ceo-evil@acme.example");
        headers.put("Sender", "ceo-evil-sender@acme.example");
        headers.put("Reply-To", "mallory-reply@evil.example");
        headers.put("Subject", "hijacked subject");
        headers.put("Disposition-Notification-To", "mallory-receipt@evil.example");
        headers.put("Content-Type", "text/html; charset=evil");
        headers.put("Message-ID", "<hijacked@evil.example>");
        headers.put("X-Campaign", "hijacked-campaign");
        // JavaMail session properties, which camel-mail 4.18 applies from headers to a sender of its own
        headers.put("mail.smtp.host", ScriptedSmtpServer.HOST);
        headers.put("mail.smtp.port", String.valueOf(decoy.port()));
        headers.put("mail.smtps.host", ScriptedSmtpServer.HOST);
        headers.put("mail.smtp.ssl.trust", "*");
        headers.put("mail.smtp.starttls.enable", "false");
        headers.put("mail.smtp.auth", "false");
        headers.put("mail.smtp.from", "bounce-evil@evil.example");
        // Camel control headers, also in case variants (CVE-2025-27636)
        headers.put("CamelMailTo", "mallory-camel-to@evil.example");
        headers.put("camelmailbcc", "mallory-camel-bcc@evil.example");
        headers.put("CAMELMAILCC", "mallory-camel-cc@evil.example");
        headers.put("CamelMailSubject", "hijacked camel subject");
        headers.put("CamelBeanMethodName", "block");
        headers.put("cAMELbEANmETHODnAME", "block");
        // camel-kafka producer controls (CVE-2026-49098)
        headers.put("kafka.OVERRIDE_TOPIC", STOLEN);
        headers.put("CamelKafkaOverrideTopic", STOLEN);
        headers.put("kafka.KEY", "hijacked-key");
        headers.put("kafka.OVERRIDE_TIMESTAMP", "0");
        // template selection
        headers.put("template", "order-confirmation");
        headers.put("CamelMustacheResourceUri", "file:/etc/passwd");
        return Collections.unmodifiableMap(headers);
    }

    @Test
    void recordHeadersChangeNeitherRecipientsNorMailNorSessionNorWhereTheResultGoes() throws Exception {
        String id = "hostile-" + UUID.randomUUID();
        String recordKey = "record-key-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, recordKey, """
                {"id": "%s", "to": ["frank@example.org"], "subject": "the real subject", "text": "the real text"}"""
                .formatted(id).getBytes(StandardCharsets.UTF_8), hostileHeaders());

        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.get("recipients").findValuesAsText("address")).containsExactly("frank@example.org");

        ReceivedMail mail = gateway.relay().awaitMessageId(MessageIds.forRequest(id, "noreply@acme.example"));
        assertThat(mail.envelopeRecipients()).containsExactly("frank@example.org");
        assertThat(mail.envelopeFrom()).isEqualTo("noreply@acme.example");
        MimeMessage message = mail.toMimeMessage();
        assertThat(headerNames(message)).containsExactlyInAnyOrder(
                "Date", "From", "To", "Message-ID", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");
        assertThat(message.getSubject()).isEqualTo("the real subject");
        assertThat(((String) message.getContent()).strip()).isEqualTo("the real text");
        assertThat(mail.rawAsString()).doesNotContain("evil", "hijacked", "/etc/passwd");

        // the session was not touched: the mail went to the configured relay over STARTTLS and AUTH, nowhere else
        assertThat(decoy.connections()).isZero();

        // the result went to the results topic, keyed by the body's id, with no header of the producer's
        ConsumerRecord<String, byte[]> published = resultRecord(id);
        assertThat(published.timestamp()).isPositive();
        assertThat(published.headers()).noneSatisfy(header ->
                assertThat(hostileHeaders().keySet()).anyMatch(name -> name.equalsIgnoreCase(header.key())));
        assertThat(gateway.results().records()).noneMatch(record -> recordKey.equals(record.key())
                || "hijacked-key".equals(record.key()));
        assertThat(stolen.records()).isEmpty();
    }

    @Test
    void recordThatIsNotJsonIsReportedUnderItsOwnKeyAndDeadLetteredWithoutTheProducersHeaders() {
        String recordKey = "hostile-raw-" + UUID.randomUUID();
        byte[] raw = "not json at all".getBytes(StandardCharsets.UTF_8);
        gateway.kafka().send(InJvmGateway.OUTBOUND, recordKey, raw, hostileHeaders());

        JsonNode result = gateway.results().awaitJson(recordKey);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        ConsumerRecord<String, byte[]> deadLetter = gateway.deadLetters().awaitRecord(recordKey);
        assertThat(deadLetter.value()).isEqualTo(raw);
        assertThat(deadLetter.headers()).noneSatisfy(header ->
                assertThat(hostileHeaders().keySet()).anyMatch(name -> name.equalsIgnoreCase(header.key())));
        assertThat(gateway.results().records()).noneMatch(record -> "hijacked-key".equals(record.key()));
        assertThat(stolen.records()).isEmpty();
    }

    private static ConsumerRecord<String, byte[]> resultRecord(String id) {
        return gateway.results().records().stream().filter(record -> id.equals(record.key())).findFirst().orElseThrow();
    }

    private static List<String> headerNames(MimeMessage message) throws Exception {
        return Collections.list(message.getAllHeaders()).stream().map(Header::getName)
                .map(name -> name.toLowerCase(Locale.ROOT).equals("message-id") ? "Message-ID" : name).toList();
    }
}
