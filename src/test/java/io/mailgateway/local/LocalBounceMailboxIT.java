package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgateway.tls.TlsContexts;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Properties;
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
