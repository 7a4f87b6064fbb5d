package io.mailgateway.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.camel.main.Main;

import io.mailgateway.MailGateway;
import io.mailgateway.SendCommand;

/**
 * Local mode: the gateway on an embedded Kafka broker and an embedded STARTTLS + AUTH SMTP server that writes
 * every mail it receives to {@code target/local/mail} as .eml; sends the example requests and keeps running. The
 * preview pages show the templates and the caught mails. Mail from the local From domain is DKIM-signed, and mail
 * to the bouncing domain comes back as a delivery status report into an IMAPS bounce mailbox, which the gateway
 * reads and turns into events.
 */
public final class LocalMode {

    private static final Path WORK = Path.of("target", "local");
    private static final Path EXAMPLES = Path.of("docs", "examples");
    /** Kept from run to run, so that the DKIM record printed once stays valid. */
    private static final Path DKIM_KEYS = WORK.resolve("dkim");
    private static final String FROM_DOMAIN = "acme.example";
    private static final String DKIM_SELECTOR = "local";
    /** The envelope-sender domain of the VERP return paths: all of it is delivered into the bounce mailbox. */
    private static final String BOUNCE_DOMAIN = "bounce.localhost";
    /** Every recipient of this domain bounces, a moment after the SMTP server accepted the mail. */
    private static final String BOUNCING_RECIPIENT_DOMAIN = "bounce.test";
    private static final Duration BOUNCE_DELAY = Duration.ofSeconds(2);

    private LocalMode() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        deleteAllBut(WORK, DKIM_KEYS);
        LocalKafkaBroker broker = LocalKafkaBroker.start(WORK.resolve("kafka"));
        broker.createTopics(3, "mail.outbound");
        broker.createTopics(1, "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions",
                "mail.events");
        String password = UUID.randomUUID().toString();
        LocalCertificate certificate = LocalCertificate.create(WORK.resolve("tls"));
        LocalDkimKey dkimKey = LocalDkimKey.createOrLoad(DKIM_KEYS, FROM_DOMAIN, DKIM_SELECTOR);
        Path bounceSecretFile = writeSecret(WORK.resolve("bounce").resolve("secret"));
        LocalBounceMailbox mailbox = LocalBounceMailbox.start(certificate, WORK.resolve("bounce-mailbox"));
        Executor later = CompletableFuture.delayedExecutor(BOUNCE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        LocalSmtpServer smtp = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials("gateway", password)
                .implicitTls(false)
                .mailDir(WORK.resolve("mail"))
                .afterAccepting(new BouncingDomain(BOUNCING_RECIPIENT_DOMAIN, LocalSmtpServer.HOST,
                        report -> later.execute(() -> mailbox.deliver(report))))
                .build()
                .start();
        int managementPort = portOr(8080);
        int httpPort = portOr(8081);
        Main gateway = MailGateway.newMain(Map.ofEntries(
                Map.entry("camel.component.kafka.brokers", broker.bootstrapServers()),
                Map.entry("gateway.smtp.host", LocalSmtpServer.HOST),
                Map.entry("gateway.smtp.port", String.valueOf(smtp.port())),
                Map.entry("gateway.smtp.username", "gateway"),
                Map.entry("gateway.smtp.password", password),
                Map.entry("gateway.smtp.trust-ca-file", certificate.caPemFile().toAbsolutePath().toString()),
                Map.entry("gateway.tenants-file", EXAMPLES.resolve("tenants.yaml").toAbsolutePath().toString()),
                Map.entry("gateway.allowed-sender-domains", "acme.example"),
                Map.entry("gateway.default-from", "noreply@acme.example"),
                Map.entry("camel.management.port", String.valueOf(managementPort)),
                // the preview pages, on loopback only: templates with their sample data, and the mails caught here
                Map.entry("camel.server.enabled", "true"),
                Map.entry("camel.server.host", "127.0.0.1"),
                Map.entry("camel.server.port", String.valueOf(httpPort)),
                Map.entry("gateway.preview.enabled", "true"),
                Map.entry("gateway.preview.mail-dir", WORK.resolve("mail").toAbsolutePath().toString()),
                Map.entry("gateway.dkim.keys-dir", DKIM_KEYS.toAbsolutePath().toString()),
                Map.entry("gateway.bounce.domain", BOUNCE_DOMAIN),
                Map.entry("gateway.bounce.secret-file", bounceSecretFile.toAbsolutePath().toString()),
                Map.entry("gateway.bounce.mailbox.url", mailbox.url()),
                Map.entry("gateway.bounce.mailbox.username", mailbox.username()),
                Map.entry("gateway.bounce.mailbox.password-file", mailbox.passwordFile().toAbsolutePath().toString()),
                Map.entry("gateway.bounce.mailbox.trust-ca-file", certificate.caPemFile().toAbsolutePath().toString()),
                // the local bounce comes back within seconds: show it without the production poll delay
                Map.entry("gateway.bounce.mailbox.poll-delay", "2s")));
        LocalEventsPrinter events = LocalEventsPrinter.start(broker.bootstrapServers(), "mail.events", System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gateway.stop();
            } finally {
                events.close();
                smtp.close();
                mailbox.close();
                broker.close();
            }
        }, "local-mode-shutdown"));
        gateway.start();
        System.out.printf("%nMail Gateway local mode started in %.1f s%n%n", (System.nanoTime() - start) / 1e9);

        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES.resolve("requests"))) {
            examples = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        SendCommand.send(broker.bootstrapServers(), "mail.outbound", "mail.results", examples);

        System.out.printf("""

                Running. Press Ctrl-C to stop.
                  Kafka broker      %s   (topics mail.outbound, mail.results, mail.dlq, mail.retry, mail.state, mail.suppressions, mail.events)
                  SMTP server       %s:%d   (STARTTLS and AUTH required; every recipient @%s bounces)
                  mails received    %s/*.eml
                  bounce mailbox    %s   (user %s, password in %s)
                  DKIM key          %s/%s/%s.pem; the DNS record to publish for it:
                    %s
                  template preview  http://127.0.0.1:%d/preview
                  caught mails      http://127.0.0.1:%d/preview/mails
                  health, metrics   http://127.0.0.1:%d/observe/health   http://127.0.0.1:%d/observe/metrics

                Send another request (in a second terminal):
                  KAFKA_BOOTSTRAP_SERVERS=%s java -jar target/mail-gateway.jar send docs/examples/requests/welcome.json
                The mail to anyone@%s bounces a moment after it was accepted: watch for its BOUNCED event (the
                "event ..." lines here), then send docs/examples/bounce-again.json as above; its result is SUPPRESSED.
                %n""", broker.bootstrapServers(), LocalSmtpServer.HOST, smtp.port(), BOUNCING_RECIPIENT_DOMAIN,
                WORK.resolve("mail").toAbsolutePath(), mailbox.url(), mailbox.username(),
                mailbox.passwordFile().toAbsolutePath(), DKIM_KEYS.toAbsolutePath(), FROM_DOMAIN, DKIM_SELECTOR,
                dkimKey.dnsRecord(), httpPort, httpPort, managementPort, managementPort,
                broker.bootstrapServers(), BOUNCING_RECIPIENT_DOMAIN);
        Thread.currentThread().join();
    }

    private static int portOr(int preferred) throws IOException {
        try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException taken) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }

    /** Empties {@code dir} of everything but {@code kept} and what lies in it. */
    private static void deleteAllBut(Path dir, Path kept) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                if (!path.startsWith(kept) && !kept.startsWith(path)) {
                    Files.delete(path);
                }
            }
        }
    }

    /** A new random secret of 32 bytes (base64), readable only by this user. */
    private static Path writeSecret(Path file) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.createDirectories(file.getParent());
        Files.writeString(file, Base64.getEncoder().encodeToString(secret), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
