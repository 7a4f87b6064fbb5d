package io.mailgateway.local;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.SSLSocketCreator;

/** An SMTP submission server on 127.0.0.1 that demands TLS and AUTH, keeps what it accepts, and refuses on demand. */
public final class LocalSmtpServer implements AutoCloseable {

    /** The name clients should connect to: the one the local certificate is valid for. */
    public static final String HOST = "localhost";

    private static final DateTimeFormatter FILE_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    /** One accepted mail: the envelope as given in MAIL/RCPT and the message bytes exactly as received. */
    public record ReceivedMail(String envelopeFrom, List<String> envelopeRecipients, byte[] raw) {

        public ReceivedMail {
            envelopeRecipients = List.copyOf(envelopeRecipients);
        }

        public MimeMessage toMimeMessage() {
            try {
                return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
            } catch (MessagingException e) {
                throw new IllegalStateException("Received mail is not a parseable message", e);
            }
        }

        public String rawAsString() {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }

    private record Reply(int code, String text) {
    }

    private final SMTPServer server;
    private final Path mailDir;
    private final boolean keepMessages;
    private final AtomicLong accepted = new AtomicLong();
    private final List<ReceivedMail> received = new ArrayList<>();
    private final List<Instant> acceptedAt = new ArrayList<>();
    private final Map<String, Reply> rejectedRecipients = new ConcurrentHashMap<>();
    private volatile Reply messageRejection;
    private volatile Credentials credentials;
    private final Consumer<ReceivedMail> afterAccepting;

    private LocalSmtpServer(Builder builder) {
        this.mailDir = builder.mailDir;
        this.keepMessages = builder.keepMessages;
        this.afterAccepting = builder.afterAccepting;
        this.credentials = new Credentials(builder.user, builder.password.getBytes(StandardCharsets.UTF_8));
        SSLContext sslContext = builder.certificate.serverSslContext();

        SMTPServer.Builder smtp = SMTPServer.port(0)
                // a literal, so a JVM that prefers IPv6 still binds where the certificate's IP entry points
                .bindAddress(new InetSocketAddress("127.0.0.1", 0).getAddress())
                .hostName(HOST)
                .messageHandlerFactory(context -> new Transaction())
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(
                        (String u, String p, MessageContext context) -> checkLogin(credentials, u, p)))
                .requireAuth(true)
                .requireTLS(true)
                // keep the bytes exactly as the client sent them
                .insertReceivedHeaders(false);
        if (builder.implicitTls) {
            smtp.serverSocketFactory(sslContext);
        } else {
            smtp.enableTLS(true).startTlsSocketFactory(startTls(sslContext));
        }
        this.server = smtp.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public LocalSmtpServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getPortAllocated();
    }

    public Path mailDir() {
        return mailDir;
    }

    /** Makes RCPT for this address fail with the given reply, e.g. {@code 550, "5.1.1 user unknown"}. */
    public void rejectRecipient(String address, int code, String text) {
        rejectedRecipients.put(address.toLowerCase(Locale.ROOT), new Reply(code, text));
    }

    /** Makes every message fail after DATA with the given reply, e.g. {@code 554, "5.7.1 message refused"}. */
    public void rejectMessages(int code, String text) {
        messageRejection = new Reply(code, text);
    }

    public void clearFaults() {
        rejectedRecipients.clear();
        messageRejection = null;
    }

    /** How many mails were accepted since start, kept or not. */
    public long acceptedCount() {
        return accepted.get();
    }

    /** When each mail was accepted (its final "." answered), in order, kept or not. */
    public List<Instant> acceptedAt() {
        synchronized (acceptedAt) {
            return List.copyOf(acceptedAt);
        }
    }

    public List<ReceivedMail> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits until at least {@code count} mails have been accepted and returns all of them. */
    public List<ReceivedMail> awaitMessages(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("Expected " + count + " mails within " + timeout
                            + " but received " + received.size());
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    /** Changes the accepted login from now on, e.g. to make the gateway's configured password wrong. */
    public void changeCredentials(String user, String password) {
        this.credentials = new Credentials(user, password.getBytes(StandardCharsets.UTF_8));
    }

    private record Credentials(String user, byte[] password) {
    }

    private static void checkLogin(Credentials credentials, String givenUser, String givenPassword)
            throws LoginFailedException {
        String user = credentials.user();
        byte[] password = credentials.password();
        boolean userMatches = user.equals(givenUser);
        // constant time, as any password check should be, even one listening only on loopback
        boolean passwordMatches = MessageDigest.isEqual(password, givenPassword.getBytes(StandardCharsets.UTF_8));
        if (!userMatches || !passwordMatches) {
            throw new LoginFailedException();
        }
    }

    /** Like subethasmtp's own STARTTLS factory, but keeps the JDK's default protocols and cipher suites. */
    private static SSLSocketCreator startTls(SSLContext context) {
        return socket -> {
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            SSLSocket tls = (SSLSocket) context.getSocketFactory()
                    .createSocket(socket, remote.getHostString(), socket.getPort(), true);
            tls.setUseClientMode(false);
            return tls;
        };
    }

    private void store(ReceivedMail mail) throws IOException {
        synchronized (received) {
            int number = received.size() + 1;
            String name = number + "-" + FILE_TIMESTAMP.format(Instant.now()) + ".eml";
            Files.write(mailDir.resolve(name), mail.raw());
            received.add(mail);
            received.notifyAll();
        }
    }

    /** One mail transaction: subethasmtp creates a handler per MAIL command. */
    private final class Transaction implements MessageHandler {

        private String from;
        private final List<String> recipients = new ArrayList<>();

        @Override
        public void from(String from) {
            this.from = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            Reply fault = rejectedRecipients.get(recipient.toLowerCase(Locale.ROOT));
            if (fault != null) {
                throw new RejectException(fault.code(), fault.text());
            }
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            byte[] raw = data.readAllBytes();
            Reply fault = messageRejection;
            if (fault != null) {
                throw new RejectException(fault.code(), fault.text());
            }
            accepted.incrementAndGet();
            synchronized (acceptedAt) {
                acceptedAt.add(Instant.now());
            }
            ReceivedMail mail = new ReceivedMail(from, recipients, raw);
            if (keepMessages) {
                store(mail);
            }
            afterAccepting.accept(mail);
            return null;
        }

        @Override
        public void done() {
        }
    }

    /** Configuration; certificate and credentials are required. */
    public static final class Builder {

        private LocalCertificate certificate;
        private String user;
        private String password;
        private boolean implicitTls;
        private Path mailDir;
        private boolean keepMessages = true;
        private Consumer<ReceivedMail> afterAccepting = mail -> { };

        private Builder() {
        }

        /** Called with every accepted mail just before its DATA is answered, e.g. to bounce some of its recipients. */
        public Builder afterAccepting(Consumer<ReceivedMail> afterAccepting) {
            this.afterAccepting = Objects.requireNonNull(afterAccepting);
            return this;
        }

        public Builder certificate(LocalCertificate certificate) {
            this.certificate = certificate;
            return this;
        }

        public Builder credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** TLS from the first byte (SMTPS) instead of STARTTLS. */
        public Builder implicitTls(boolean implicitTls) {
            this.implicitTls = implicitTls;
            return this;
        }

        /** Where accepted mails are written as {@code <n>-<timestamp>.eml}; a temporary directory if unset. */
        public Builder mailDir(Path mailDir) {
            this.mailDir = mailDir;
            return this;
        }

        /** Accepts and counts mails without writing or keeping them, as a fast sink for load tests. */
        public Builder discardMessages() {
            this.keepMessages = false;
            return this;
        }

        public LocalSmtpServer build() {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(user, "credentials");
            Objects.requireNonNull(password, "credentials");
            try {
                if (mailDir == null) {
                    mailDir = Files.createTempDirectory("local-smtp-");
                } else {
                    Files.createDirectories(mailDir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new LocalSmtpServer(this);
        }
    }
}
