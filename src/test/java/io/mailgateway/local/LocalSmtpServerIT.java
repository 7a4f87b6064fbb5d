package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.tls.TlsContexts;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalSmtpServerIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path certificateDir;

    private static LocalCertificate certificate;
    private static SSLSocketFactory trustingOnlyTheLocalCa;

    @TempDir
    Path mailDir;

    private LocalSmtpServer server;

    @BeforeAll
    static void createCertificate() throws Exception {
        certificate = LocalCertificate.create(certificateDir);
        trustingOnlyTheLocalCa = TlsContexts.trustingOnly(certificate.caPemFile()).getSocketFactory();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void deliversOverStartTlsWithAuth(String mechanism) throws Exception {
        startServer(false);
        Properties properties = startTlsClient();
        properties.put("mail.smtp.auth.mechanisms", mechanism);
        Session session = Session.getInstance(properties);

        Transport.send(message(session, "alice@example.org"), USER, PASSWORD);

        List<ReceivedMail> mails = server.awaitMessages(1, WAIT);
        ReceivedMail mail = mails.get(0);
        assertThat(mail.envelopeFrom()).isEqualTo("gateway@example.org");
        assertThat(mail.envelopeRecipients()).containsExactly("alice@example.org");
        assertThat(mail.toMimeMessage().getSubject()).isEqualTo("Hello");
        assertThat(mail.rawAsString()).contains("\r\n.\r\nA line with only a dot");
        assertThat(emlFiles()).singleElement().satisfies(file -> {
            assertThat(file.getFileName().toString()).matches("1-\\d{8}T\\d{9}Z\\.eml");
            assertThat(Files.readAllBytes(file)).isEqualTo(mail.raw());
        });
    }

    @Test
    void refusesMailFromClientWithoutStartTls() throws Exception {
        startServer(false);
        Properties properties = baseClient();
        properties.put("mail.smtp.starttls.enable", "false");
        Session session = Session.getInstance(properties);

        assertThatThrownBy(() -> Transport.send(message(session, "alice@example.org"), USER, PASSWORD))
                .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> {
                    assertThat(e.getReturnCode()).isEqualTo(530);
                    assertThat(e.getCommand()).startsWith("MAIL FROM");
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void offersNoAuthAndAcceptsNoMailBeforeStartTls() throws Exception {
        startServer(false);
        try (Socket socket = new Socket(LocalSmtpServer.HOST, server.port())) {
            socket.setSoTimeout(5_000);
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);

            assertThat(in.readLine()).startsWith("220");
            List<String> ehlo = command(in, out, "EHLO client.example.org");
            assertThat(ehlo).anyMatch(line -> line.contains("STARTTLS")).noneMatch(line -> line.contains("AUTH"));
            String credentials = Base64.getEncoder().encodeToString(
                    ("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(command(in, out, "AUTH PLAIN " + credentials)).singleElement().asString().startsWith("530");
            assertThat(command(in, out, "MAIL FROM:<gateway@example.org>"))
                    .singleElement().asString().startsWith("530");
        }
    }

    @Test
    void rejectsWrongPassword() throws Exception {
        startServer(false);
        Session session = Session.getInstance(startTlsClient());

        assertThatThrownBy(() -> Transport.send(message(session, "alice@example.org"), USER, "wrong password"))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageStartingWith("535");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void rejectsConfiguredRecipientAndDeliversToTheOther() throws Exception {
        startServer(false);
        server.rejectRecipient("nobody@example.org", 550, "5.1.1 user unknown");
        Properties properties = startTlsClient();
        properties.put("mail.smtp.sendpartial", "true");
        Session session = Session.getInstance(properties);

        assertThatThrownBy(() -> Transport.send(
                message(session, "alice@example.org", "nobody@example.org"), USER, PASSWORD))
                .isInstanceOfSatisfying(SendFailedException.class, e -> {
                    assertThat(e.getValidSentAddresses()).extracting(Object::toString)
                            .containsExactly("alice@example.org");
                    assertThat(e.getInvalidAddresses()).extracting(Object::toString)
                            .containsExactly("nobody@example.org");
                    SMTPAddressFailedException refused = findInChain(e, SMTPAddressFailedException.class);
                    assertThat(refused.getReturnCode()).isEqualTo(550);
                    assertThat(refused.getMessage()).contains("5.1.1 user unknown");
                });

        ReceivedMail mail = server.awaitMessages(1, WAIT).get(0);
        assertThat(mail.envelopeRecipients()).containsExactly("alice@example.org");
    }

    @Test
    void rejectsMessageAfterDataUntilFaultsAreCleared() throws Exception {
        startServer(false);
        server.rejectMessages(554, "5.7.1 message refused");
        Session session = Session.getInstance(startTlsClient());

        assertThatThrownBy(() -> Transport.send(message(session, "alice@example.org"), USER, PASSWORD))
                .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> {
                    assertThat(e.getReturnCode()).isEqualTo(554);
                    assertThat(e.getMessage()).contains("5.7.1 message refused");
                });
        assertThat(server.received()).isEmpty();
        assertThat(emlFiles()).isEmpty();

        server.clearFaults();
        Transport.send(message(session, "alice@example.org"), USER, PASSWORD);
        assertThat(server.awaitMessages(1, WAIT)).hasSize(1);
    }

    @Test
    void deliversOverImplicitTls() throws Exception {
        startServer(true);
        Properties properties = baseClient();
        properties.put("mail.smtp.ssl.enable", "true");
        Session session = Session.getInstance(properties);

        Transport.send(message(session, "alice@example.org", "bob@example.org"), USER, PASSWORD);

        ReceivedMail mail = server.awaitMessages(1, WAIT).get(0);
        assertThat(mail.envelopeRecipients()).containsExactly("alice@example.org", "bob@example.org");
        await().atMost(WAIT).untilAsserted(() -> assertThat(emlFiles()).hasSize(1));
    }

    @Test
    void discardingServerCountsMailsWithoutKeepingThem() throws Exception {
        server = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USER, PASSWORD)
                .mailDir(mailDir)
                .discardMessages()
                .build()
                .start();
        Session session = Session.getInstance(startTlsClient());

        Transport.send(message(session, "alice@example.org"), USER, PASSWORD);
        Transport.send(message(session, "bob@example.org"), USER, PASSWORD);

        assertThat(server.acceptedCount()).isEqualTo(2);
        assertThat(server.received()).isEmpty();
        assertThat(emlFiles()).isEmpty();
    }

    @Test
    void clientCheckingHostnameRefusesCertificateForOtherHost(@TempDir Path otherDir) throws Exception {
        LocalCertificate otherHost = LocalCertificate.createForOtherHost(otherDir);
        server = LocalSmtpServer.builder()
                .certificate(otherHost)
                .credentials(USER, PASSWORD)
                .mailDir(mailDir)
                .build()
                .start();
        Properties properties = startTlsClient();
        properties.put("mail.smtp.ssl.socketFactory", TlsContexts.trustingOnly(otherHost.caPemFile()).getSocketFactory());
        Session session = Session.getInstance(properties);

        assertThatThrownBy(() -> Transport.send(message(session, "alice@example.org"), USER, PASSWORD))
                .isInstanceOf(MessagingException.class)
                .rootCause()
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("localhost");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void clientRefusesCertificateItDoesNotTrust(@TempDir Path otherDir) throws Exception {
        startServer(false);
        Properties properties = startTlsClient();
        LocalCertificate stranger = LocalCertificate.create(otherDir);
        properties.put("mail.smtp.ssl.socketFactory", TlsContexts.trustingOnly(stranger.caPemFile()).getSocketFactory());
        Session session = Session.getInstance(properties);

        assertThatThrownBy(() -> Transport.send(message(session, "alice@example.org"), USER, PASSWORD))
                .isInstanceOf(MessagingException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void returnsAReadableDeliveryStatusReportToTheEnvelopeSenderForABouncingRecipient() throws Exception {
        List<MimeMessage> returned = new CopyOnWriteArrayList<>();
        server = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USER, PASSWORD)
                .mailDir(mailDir)
                .afterAccepting(new BouncingDomain("bounce.test", "localhost", returned::add))
                .build()
                .start();
        Properties properties = startTlsClient();
        properties.put("mail.smtp.from", "bounces+token1@bounce.localhost");
        Session session = Session.getInstance(properties);
        Transport.send(message(session, "anyone@bounce.test", "alice@example.org"), USER, PASSWORD);

        await().atMost(WAIT).until(() -> !returned.isEmpty());
        assertThat(returned).hasSize(1);
        String messageId = server.awaitMessages(1, WAIT).get(0).toMimeMessage().getMessageID();
        // read back from its bytes, as the bounce mailbox's reader gets it
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        returned.get(0).writeTo(bytes);
        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(report.getAllRecipients()).extracting(Object::toString)
                .containsExactly("bounces+token1@bounce.localhost");
        assertThat(new ContentType(report.getContentType())).satisfies(type -> {
            assertThat(type.getBaseType()).isEqualToIgnoringCase("multipart/report");
            assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        });
        assertThat(report.getContent()).isInstanceOfSatisfying(MultipartReport.class, multipart -> {
            try {
                DeliveryStatus status = multipart.getDeliveryStatus();
                assertThat(status.getMessageDSN().getHeader("Reporting-MTA", null)).isEqualTo("dns; localhost");
                assertThat(status.getRecipientDSNCount()).as("only the bouncing domain's recipient").isEqualTo(1);
                InternetHeaders recipient = status.getRecipientDSN(0);
                assertThat(recipient.getHeader("Final-Recipient", null)).isEqualTo("rfc822; anyone@bounce.test");
                assertThat(recipient.getHeader("Action", null)).isEqualTo("failed");
                assertThat(recipient.getHeader("Status", null)).isEqualTo("5.1.1");
                assertThat(recipient.getHeader("Remote-MTA", null)).isEqualTo("dns; mx.bounce.test");
                assertThat(recipient.getHeader("Diagnostic-Code", null)).startsWith("smtp; 550 5.1.1");
                assertThat(multipart.getBodyPart(2).getContentType()).startsWithIgnoringCase("text/rfc822-headers");
                String returnedHeaders = new String(multipart.getBodyPart(2).getInputStream().readAllBytes(),
                        StandardCharsets.US_ASCII);
                assertThat(returnedHeaders).contains("Message-ID: " + messageId, "Subject: Hello")
                        .doesNotContain("A line with only a dot");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void returnsNoReportForANullSenderNorForOtherDomains() throws Exception {
        List<MimeMessage> returned = new CopyOnWriteArrayList<>();
        server = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USER, PASSWORD)
                .mailDir(mailDir)
                .afterAccepting(new BouncingDomain("bounce.test", "localhost", returned::add))
                .build()
                .start();
        Properties nullSender = startTlsClient();
        nullSender.put("mail.smtp.from", "<>");

        Transport.send(message(Session.getInstance(nullSender), "anyone@bounce.test"), USER, PASSWORD);
        Transport.send(message(Session.getInstance(startTlsClient()), "alice@example.org"), USER, PASSWORD);

        assertThat(server.awaitMessages(2, WAIT)).hasSize(2);
        assertThat(returned).isEmpty();
    }

    private void startServer(boolean implicitTls) {
        server = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USER, PASSWORD)
                .implicitTls(implicitTls)
                .mailDir(mailDir)
                .build()
                .start();
    }

    private Properties baseClient() {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", LocalSmtpServer.HOST);
        properties.put("mail.smtp.port", String.valueOf(server.port()));
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.ssl.socketFactory", trustingOnlyTheLocalCa);
        properties.put("mail.smtp.connectiontimeout", "5000");
        properties.put("mail.smtp.timeout", "5000");
        return properties;
    }

    private Properties startTlsClient() {
        Properties properties = baseClient();
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        return properties;
    }

    private static MimeMessage message(Session session, String... recipients) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("gateway@example.org"));
        for (String recipient : recipients) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject("Hello");
        message.setText("Hello from the gateway.\n.\nA line with only a dot, to check dot-stuffing.\n");
        return message;
    }

    private List<Path> emlFiles() throws Exception {
        try (Stream<Path> files = Files.list(mailDir)) {
            return files.filter(file -> file.toString().endsWith(".eml")).toList();
        }
    }

    /** Sends one command and returns the reply lines, following multi-line replies. */
    private static List<String> command(BufferedReader in, Writer out, String command) throws Exception {
        out.write(command + "\r\n");
        out.flush();
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            lines.add(line);
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return lines;
    }

    private static <T extends Exception> T findInChain(MessagingException e, Class<T> type) {
        Exception current = e;
        while (current != null) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            current = current instanceof MessagingException m ? m.getNextException() : null;
        }
        throw new AssertionError("No " + type.getSimpleName() + " in " + e);
    }
}
