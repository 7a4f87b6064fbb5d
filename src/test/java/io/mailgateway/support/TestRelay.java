package io.mailgateway.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.MessagingException;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalSmtpServer;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An SMTP relay for tests: STARTTLS required, AUTH required, certificate for "localhost" from a fresh test CA. */
public final class TestRelay implements AutoCloseable {

    public static final String USERNAME = "gateway";

    private final LocalCertificate certificate;
    private final LocalSmtpServer server;
    private final String password = UUID.randomUUID().toString();

    public TestRelay(Path workDir, boolean implicitTls) {
        certificate = LocalCertificate.create(workDir.resolve("tls"));
        server = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USERNAME, password)
                .implicitTls(implicitTls)
                .mailDir(workDir.resolve("mail"))
                .build()
                .start();
    }

    public LocalSmtpServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public String password() {
        return password;
    }

    public Path caPemFile() {
        return certificate.caPemFile();
    }

    /** The settings that point a gateway at this relay: its address, the credentials and the CA to trust. */
    public Map<String, String> gatewaySettings() {
        return Map.of(
                "gateway.smtp.host", "localhost",
                "gateway.smtp.port", String.valueOf(port()),
                "gateway.smtp.username", USERNAME,
                "gateway.smtp.password", password,
                "gateway.smtp.trust-ca-file", caPemFile().toString());
    }

    /**
     * The environment that points a packaged gateway at this relay, the password passed as a file as in production.
     *
     * @param dir where the password file is written
     */
    public Map<String, String> gatewayEnvironment(Path dir) {
        try {
            Path passwordFile = Files.writeString(dir.resolve("smtp-password"), password + "\n");
            return Map.of(
                    "SMTP_HOST", "localhost",
                    "SMTP_PORT", String.valueOf(port()),
                    "SMTP_USERNAME", USERNAME,
                    "SMTP_PASSWORD_FILE", passwordFile.toString(),
                    "SMTP_TRUST_CA_FILE", caPemFile().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the mail with this Message-ID. */
    public ReceivedMail awaitMessageId(String messageId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> find(messageId) != null);
        return find(messageId);
    }

    private ReceivedMail find(String messageId) {
        for (ReceivedMail mail : server.received()) {
            try {
                if (messageId.equals(mail.toMimeMessage().getMessageID())) {
                    return mail;
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.close();
    }
}
