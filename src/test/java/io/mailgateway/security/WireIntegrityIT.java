package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.support.ScriptedSmtpServer;

/**
 * What producers write reaches the relay's wire only in a form that cannot end a line, a header or the message
 * early: checked on the bytes the relay receives, from parsing through composing to submission.
 */
class WireIntegrityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path certificates;

    private static LocalCertificate certificate;

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());
    private final MimeComposer composer = new MimeComposer(10_000_000, Clock.systemUTC());
    private ScriptedSmtpServer relay;

    @BeforeAll
    static void createCertificate() {
        certificate = LocalCertificate.create(certificates);
    }

    @AfterEach
    void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void bareLineBreaksAndLoneDotsInTheBodyCannotEndTheMessageOrStartACommand() throws Exception {
        relay = relay().start();
        // the SMTP smuggling shapes: a lone dot between bare LFs, bare CRs or mixed line ends, then commands
        String smuggled = "first\n.\nMAIL FROM:<mallory@evil.example>\r\n.\r\nRCPT TO:<victim@example.org>\r.\r"
                + "DATA\n.\r\nlast";
        ObjectNode body = request("smuggle-1");
        body.put("text", smuggled);

        send(body);

        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        String wire = new String(relay.tlsBytes(), StandardCharsets.ISO_8859_1);
        assertThat(wire.replace("\r\n", "")).as("bare CR or LF on the wire").doesNotContain("\r", "\n");
        // exactly one end-of-data, the gateway's own
        assertThat(wire.split("\r\n\\.\r\n", -1)).hasSize(2);
        assertThat(relay.commandLines()).filteredOn(line -> line.startsWith("MAIL")).hasSize(1);
        assertThat(relay.commandLines()).filteredOn(line -> line.startsWith("RCPT")).containsExactly("RCPT TO:<alice@example.org>");
        assertThat(relay.messages()).singleElement()
                .satisfies(mail -> assertThat(mail.rawAsString()).contains("MAIL FROM:<mallory@evil.example>", "last"));
    }

    @Test
    void lookAlikesOfLineBreaksInHeaderFieldsReachTheWireEncoded() throws Exception {
        relay = relay().start();
        String text = "\u010D\u010AX-Injected: yes \u560D\u560A";
        ObjectNode body = request("look-alike-wire-1");
        body.put("subject", "Order " + text);
        body.putObject("headers").put("X-Campaign", text);
        body.putArray("to").addObject().put("address", "alice@example.org").put("name", "Alice " + text);

        send(body);

        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        String wire = new String(relay.tlsBytes(), StandardCharsets.ISO_8859_1);
        assertThat(wire).matches("[\\x00-\\x7f]*");
        assertThat(wire.split("\r\n")).noneMatch(line -> line.startsWith("X-Injected"));
        byte[] received = relay.messages().get(0).raw();
        assertThat(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(received)).getSubject())
                .isEqualTo("Order " + text);
    }

    @Test
    void unicodeDomainGoesOutInALabelsInTheEnvelopeAndTheHeaders() throws Exception {
        relay = relay().start();
        ObjectNode body = request("idn-1");
        body.putArray("to").add("user@bücher.example");

        send(body);

        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.commandLines()).contains("RCPT TO:<user@xn--bcher-kva.example>")
                .contains("MAIL FROM:<shop@acme.example>");
        assertThat(relay.messages()).singleElement().satisfies(mail -> {
            assertThat(mail.envelopeRecipients()).containsExactly("user@xn--bcher-kva.example");
            assertThat(mail.rawAsString()).contains("To: user@xn--bcher-kva.example").doesNotContain("bücher");
        });
    }

    @Test
    void utf8LocalPartGoesOutAsUtf8WithSmtpUtf8ToARelayThatOffersIt() throws Exception {
        relay = relay().extensions("SIZE 10485760", "8BITMIME", "SMTPUTF8").start();
        ObjectNode body = request("smtputf8-1");
        body.putArray("to").add("jürgen@bücher.example");

        send(body);

        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        List<String> commands = relay.commandLines().stream()
                .map(line -> new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).toList();
        assertThat(commands).contains("MAIL FROM:<shop@acme.example> SMTPUTF8", "RCPT TO:<jürgen@xn--bcher-kva.example>");
        assertThat(relay.messages()).singleElement()
                .satisfies(mail -> assertThat(mail.rawAsString()).contains("To: jürgen@xn--bcher-kva.example"));
    }

    @Test
    void utf8LocalPartIsRefusedBeforeMailFromByARelayWithoutSmtpUtf8() throws Exception {
        relay = relay().start();
        ObjectNode body = request("smtputf8-2");
        body.putArray("to").add("jürgen@example.org").add("alice@example.org");

        SmtpPermanentException failure = catchThrowableOfType(SmtpPermanentException.class, () -> send(body));

        assertThat(failure).isNotNull();
        assertThat(failure.category()).isEqualTo("recipient-rejected");
        assertThat(failure.getMessage()).contains("SMTPUTF8", "jürgen@example.org");
        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.commandLines()).noneMatch(line -> line.startsWith("MAIL") || line.startsWith("RCPT"));
        assertThat(relay.messages()).isEmpty();
    }

    private ScriptedSmtpServer.Builder relay() {
        return ScriptedSmtpServer.builder().startTls(certificate).credentials("gateway", "wire-Secret");
    }

    private static ObjectNode request(String id) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("from", "shop@acme.example");
        body.put("subject", "Your order");
        body.put("text", "Hello");
        body.putArray("to").add("alice@example.org");
        return body;
    }

    private void send(ObjectNode body) throws Exception {
        MailRequest request = parser.parse(JSON.writeValueAsBytes(body));
        OutboundMessage message = composer.compose(request,
                new RenderedContent(request.subject(), request.html(), request.text(), null));
        // Closed after the message: the tests read what the relay recorded once the client has gone.
        try (GatewayMailSender sender = new GatewayMailSender(new SmtpSettings(ScriptedSmtpServer.HOST, relay.port(),
                SmtpSecurity.STARTTLS, "gateway", "wire-Secret", certificate.caPemFile(), TIMEOUT, TIMEOUT, TIMEOUT,
                null))) {
            sender.submit(message);
        }
    }
}
