package io.mailgateway.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.camel.main.Main;

import io.mailgateway.MailGateway;
import io.mailgateway.SendCommand;

/**
 * Local mode: the gateway on an embedded Kafka broker and an embedded STARTTLS + AUTH SMTP server that writes
 * every mail it receives to {@code target/local/mail} as .eml; sends the example requests and keeps running. The
 * preview pages show the templates and the caught mails.
 */
public final class LocalMode {

    private static final Path WORK = Path.of("target", "local");
    private static final Path EXAMPLES = Path.of("docs", "examples");

    private LocalMode() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        deleteRecursively(WORK);
        LocalKafkaBroker broker = LocalKafkaBroker.start(WORK.resolve("kafka"));
        broker.createTopics(3, "mail.outbound");
        broker.createTopics(1, "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
        String password = UUID.randomUUID().toString();
        LocalCertificate certificate = LocalCertificate.create(WORK.resolve("tls"));
        LocalSmtpServer smtp = LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials("gateway", password)
                .implicitTls(false)
                .mailDir(WORK.resolve("mail"))
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
                Map.entry("gateway.preview.mail-dir", WORK.resolve("mail").toAbsolutePath().toString())));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gateway.stop();
            } finally {
                smtp.close();
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
                  Kafka broker      %s   (topics mail.outbound, mail.results, mail.dlq, mail.retry, mail.state, mail.suppressions)
                  SMTP server       %s:%d   (STARTTLS and AUTH required)
                  mails received    %s/*.eml
                  template preview  http://127.0.0.1:%d/preview
                  caught mails      http://127.0.0.1:%d/preview/mails
                  health, metrics   http://127.0.0.1:%d/observe/health   http://127.0.0.1:%d/observe/metrics

                Send another request (in a second terminal):
                  KAFKA_BOOTSTRAP_SERVERS=%s java -jar target/mail-gateway.jar send docs/examples/requests/welcome.json
                %n""", broker.bootstrapServers(), LocalSmtpServer.HOST, smtp.port(),
                WORK.resolve("mail").toAbsolutePath(), httpPort, httpPort, managementPort, managementPort,
                broker.bootstrapServers());
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

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
