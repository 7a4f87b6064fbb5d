package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgateway.tls.TlsContexts;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBounceMailboxIT {

    @TempDir
    static Path dir;

    private static LocalCertificate certificate;
    private static LocalBounceMailbox mailbox;

    @BeforeAll
    static void startMailbox() {
        certificate = LocalCertificate.create(dir.resolve("tls"));
        mailbox = LocalBounceMailbox.start(certificate, dir.resolve("mailbox"));
    }

    @AfterAll
    static void stopMailbox() {
        mailbox.close();
    }

    @Test
    void clientCheckingTheHostNameAgainstTheLocalCaReadsWhatWasDelivered() throws Exception {
        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()));
        report.setFrom(new InternetAddress("MAILER-DAEMON@localhost"));
        report.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress("bounces+abc@bounce.localhost"));
        report.setSubject("Undelivered Mail Returned to Sender");
        report.setText("report");
        report.saveChanges();

        mailbox.deliver(report);

        try (Store store = Session.getInstance(imapsClient(certificate.caPemFile())).getStore("imaps")) {
            store.connect(LocalSmtpServer.HOST, mailbox.port(), mailbox.username(),
                    Files.readString(mailbox.passwordFile()));
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessages()).anySatisfy(message -> {
                assertThat(message.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
                assertThat(message.getAllRecipients()).extracting(Object::toString)
                        .containsExactly("bounces+abc@bounce.localhost");
            });
            inbox.close(false);
        }
        assertThat(mailbox.url()).isEqualTo("imaps://localhost:" + mailbox.port() + "/INBOX");
    }

    @Test
    void reportOfTheBouncingDomainArrivesInTheMailboxAddressedToTheEnvelopeSender(@TempDir Path mailDir)
            throws Exception {
        String smtpPassword = "local smtp password";
        try (LocalSmtpServer smtp = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials("gateway", smtpPassword)
                .mailDir(mailDir)
                .afterAccepting(new BouncingDomain("bounce.test", LocalSmtpServer.HOST, mailbox::deliver))
                .build()
                .start()) {
            Properties client = new Properties();
            client.put("mail.smtp.host", LocalSmtpServer.HOST);
            client.put("mail.smtp.port", String.valueOf(smtp.port()));
            client.put("mail.smtp.auth", "true");
            client.put("mail.smtp.starttls.enable", "true");
            client.put("mail.smtp.starttls.required", "true");
            client.put("mail.smtp.ssl.socketFactory", TlsContexts.trustingOnly(certificate.caPemFile()).getSocketFactory());
            client.put("mail.smtp.from", "bounces+report-me@bounce.localhost");
            Session session = Session.getInstance(client);
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(new InternetAddress("shop@acme.example"));
            mail.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress("anyone@bounce.test"));
            mail.setSubject("Welcome");
            mail.setText("Hello");
            Transport.send(mail, "gateway", smtpPassword);
        }

        try (Store store = Session.getInstance(imapsClient(certificate.caPemFile())).getStore("imaps")) {
            store.connect(LocalSmtpServer.HOST, mailbox.port(), mailbox.username(),
                    Files.readString(mailbox.passwordFile()));
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<Message> reports = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                if (message.isMimeType("multipart/report")) {
                    reports.add(message);
                }
            }
            assertThat(reports).singleElement().satisfies(report -> {
                        assertThat(report.getAllRecipients()).extracting(Object::toString)
                                .containsExactly("bounces+report-me@bounce.localhost");
                        assertThat(report.getContent()).isInstanceOfSatisfying(MultipartReport.class, content -> {
                            try {
                                assertThat(content.getDeliveryStatus().getRecipientDSN(0).getHeader("Status", null))
                                        .isEqualTo("5.1.1");
                            } catch (MessagingException e) {
                                throw new AssertionError(e);
                            }
                        });
                    });
            inbox.close(false);
        }
    }

    @Test
    void refusesAWrongPassword() throws Exception {
        Store store = Session.getInstance(imapsClient(certificate.caPemFile())).getStore("imaps");

        assertThatThrownBy(() -> store.connect(LocalSmtpServer.HOST, mailbox.port(), mailbox.username(), "wrong"))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void clientTrustingAnotherCaRefusesTheServer(@TempDir Path otherDir) throws Exception {
        LocalCertificate stranger = LocalCertificate.create(otherDir);
        Store store = Session.getInstance(imapsClient(stranger.caPemFile())).getStore("imaps");

        assertThatThrownBy(() -> store.connect(LocalSmtpServer.HOST, mailbox.port(), mailbox.username(),
                Files.readString(mailbox.passwordFile())))
                .isInstanceOf(MessagingException.class)
                .rootCause().isInstanceOf(GeneralSecurityException.class);
    }

    private static Properties imapsClient(Path caPemFile) {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.ssl.socketFactory", TlsContexts.trustingOnly(caPemFile).getSocketFactory());
        properties.put("mail.imaps.connectiontimeout", "5000");
        properties.put("mail.imaps.timeout", "5000");
        return properties;
    }
}
