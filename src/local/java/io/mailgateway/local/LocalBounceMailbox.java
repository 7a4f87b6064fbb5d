package io.mailgateway.local;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The mailbox that receives every address of the bounce domain, served over IMAPS on 127.0.0.1 with the local
 * certificate, so that the gateway reads it as it reads a real one: TLS with host name checks, a login and a
 * password file.
 */
public final class LocalBounceMailbox implements AutoCloseable {

    public static final String USERNAME = "bounces";

    private final GreenMail server;
    private final GreenMailUser user;
    private final Path passwordFile;

    private LocalBounceMailbox(GreenMail server, GreenMailUser user, Path passwordFile) {
        this.server = server;
        this.user = user;
        this.passwordFile = passwordFile;
    }

    /** Starts the server on a free port; its key store and the password file are written to {@code dir}. */
    public static LocalBounceMailbox start(LocalCertificate certificate, Path dir) {
        try {
            Files.createDirectories(dir);
            char[] keyStorePassword = randomSecret().toCharArray();
            Path keyStore = certificate.writeKeyStore(dir.resolve("imaps.p12"), keyStorePassword);
            // GreenMail takes its TLS key only from these properties; without them it uses its own certificate,
            // which names no host and so never passes a client's host name check
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, keyStore.toString());
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY,
                    new String(keyStorePassword));
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY,
                    new String(keyStorePassword));
            String password = randomSecret();
            Path passwordFile = dir.resolve("mailbox-password");
            Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));

            GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAPS));
            server.start();
            GreenMailUser user = server.setUser(USERNAME + "@" + LocalSmtpServer.HOST, USERNAME, password);
            return new LocalBounceMailbox(server, user, passwordFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local bounce mailbox", e);
        }
    }

    /** For GATEWAY_BOUNCE_MAILBOX_URL: the host name the local certificate is valid for. */
    public String url() {
        return "imaps://" + LocalSmtpServer.HOST + ":" + port() + "/INBOX";
    }

    public int port() {
        return server.getImaps().getPort();
    }

    public String username() {
        return USERNAME;
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** Puts a mail into the mailbox, whichever address of the bounce domain it was sent to. */
    public void deliver(MimeMessage message) {
        user.deliver(message);
    }

    @Override
    public void close() {
        server.stop();
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
