package io.mailgateway.security;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.smtp.SmtpSubmissionException;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.tls.TlsContexts;

/**
 * Run in a JVM whose security settings allow TLS 1.0 and 1.1: for each legacy version, shows that a plain JDK client
 * can negotiate it with the relay, then what the gateway's sender does with that relay; prints one RESULT line each.
 */
public final class LegacyTlsProbe {

    static final String PASSWORD = "legacy-tls-Secret";

    private LegacyTlsProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("legacy-tls");
        LocalCertificate certificate = LocalCertificate.create(dir);
        for (String protocol : args) {
            try (ScriptedSmtpServer relay = ScriptedSmtpServer.builder().startTls(certificate).tlsProtocols(protocol)
                    .credentials("gateway", PASSWORD).start()) {
                String control = negotiate(relay.port(), protocol, certificate);
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.activeConnections() == 0);
                int handshakesBefore = relay.tlsHandshakes();
                String gateway = sendThroughTheGateway(relay.port(), certificate.caPemFile());
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.activeConnections() == 0);
                System.out.println("RESULT " + protocol + " control=" + control + " gateway=" + gateway
                        + " gatewayHandshakes=" + (relay.tlsHandshakes() - handshakesBefore)
                        + " passwordSent=" + (relay.tlsText() + relay.cleartext()).contains("AUTH")
                        + " messages=" + relay.messages().size());
            }
        }
    }

    /** EHLO, STARTTLS and a handshake limited to the given version; returns the negotiated version or the error. */
    private static String negotiate(int port, String protocol, LocalCertificate certificate) throws Exception {
        try (Socket socket = new Socket(ScriptedSmtpServer.HOST, port)) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            readReply(in);
            out.write("EHLO control.example\r\n".getBytes(StandardCharsets.US_ASCII));
            readReply(in);
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            readReply(in);
            SSLContext context = TlsContexts.trustingOnly(List.of(certificate.certificate()));
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, ScriptedSmtpServer.HOST, port, true)) {
                tls.setEnabledProtocols(new String[] {protocol});
                tls.startHandshake();
                return tls.getSession().getProtocol();
            } catch (IOException e) {
                return "failed(" + e.getMessage() + ")";
            }
        }
    }

    /** Reads one reply, single or multi-line, byte by byte so no TLS byte is swallowed. */
    private static void readReply(InputStream in) throws IOException {
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            if (b == -1 || text.length() < 4 || text.charAt(3) == ' ') {
                return;
            }
        }
    }

    private static String sendThroughTheGateway(int port, Path trustedCa) {
        Duration timeout = Duration.ofSeconds(5);
        GatewayMailSender sender = new GatewayMailSender(new SmtpSettings(ScriptedSmtpServer.HOST, port,
                SmtpSecurity.STARTTLS, "gateway", PASSWORD, trustedCa, timeout, timeout, timeout, null));
        MailRequest request = new MailRequest("legacy-1", null, null, new MailAddress("shop@example.org", null), null,
                List.of(new MailAddress("alice@example.org", null)), List.of(), List.of(), null, null, null,
                Map.of(), List.of(), Map.of(), Map.of());
        try {
            sender.submit(new MimeComposer(1_000_000, Clock.systemUTC())
                    .compose(request, new RenderedContent("Legacy", null, "text", null)));
            return "sent";
        } catch (SmtpSubmissionException e) {
            return e.category();
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }
}
