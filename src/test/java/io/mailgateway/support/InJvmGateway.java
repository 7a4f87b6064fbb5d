package io.mailgateway.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.main.Main;

import io.mailgateway.MailGateway;
import io.mailgateway.local.LocalKafkaBroker;

/**
 * The gateway's routes in this JVM against a real Kafka broker (child process) and a real SMTP relay that
 * requires STARTTLS and AUTH and is trusted only through the CA-file setting.
 */
public final class InJvmGateway implements AutoCloseable {

    public static final String OUTBOUND = "mail.outbound";
    public static final String GROUP = "mail-gateway-it";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalKafkaBroker broker;
    private final TestRelay relay;
    private final Main gateway;
    private final KafkaTopics kafka;
    private final KafkaTopics.Reader results;
    private final KafkaTopics.Reader deadLetters;
    private final int managementPort = FreePorts.next();

    /** Starts everything; {@code overrides} win over the defaults below. */
    public InJvmGateway(Path work, Map<String, String> overrides) throws IOException {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
        broker.createTopics(1, OUTBOUND, "mail.results", "mail.dlq", "mail.retry", "mail.state");
        relay = new TestRelay(work, false);
        Path tenants = work.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                    replyTo: support@acme.example
                    variables:
                      brand: {name: ACME, url: "https://acme.example"}
                """);
        Map<String, String> settings = new HashMap<>(Map.ofEntries(
                Map.entry("camel.component.kafka.brokers", broker.bootstrapServers()),
                Map.entry("gateway.group-id", GROUP),
                Map.entry("gateway.smtp.host", "localhost"),
                Map.entry("gateway.smtp.port", String.valueOf(relay.port())),
                Map.entry("gateway.smtp.username", TestRelay.USERNAME),
                Map.entry("gateway.smtp.password", relay.password()),
                Map.entry("gateway.smtp.trust-ca-file", relay.caPemFile().toString()),
                // Retries within a test's patience: every 300 ms, expiring after 3 s.
                Map.entry("gateway.retry.schedule", "300ms"),
                Map.entry("gateway.retry.max-age", "3s"),
                Map.entry("gateway.retry.poll-interval-ms", "100"),
                Map.entry("gateway.smtp.probe-interval-ms", "200"),
                Map.entry("gateway.tenants-file", tenants.toString()),
                Map.entry("gateway.allowed-sender-domains", "acme.example"),
                Map.entry("gateway.default-from", "noreply@acme.example"),
                Map.entry("camel.management.port", String.valueOf(managementPort))));
        settings.putAll(overrides);
        gateway = MailGateway.newMain(settings);
        gateway.start();
        kafka = new KafkaTopics(broker.bootstrapServers());
        results = kafka.read("mail.results");
        deadLetters = kafka.read("mail.dlq");
    }

    public TestRelay relay() {
        return relay;
    }

    public KafkaTopics kafka() {
        return kafka;
    }

    public KafkaTopics.Reader results() {
        return results;
    }

    public KafkaTopics.Reader deadLetters() {
        return deadLetters;
    }

    /** The HTTP status of a management endpoint, or -1 while nothing answers. */
    public int httpStatus(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() throws Exception {
        gateway.stop();
        for (AutoCloseable closeable : new AutoCloseable[] {results, deadLetters, kafka, relay, broker}) {
            closeable.close();
        }
    }
}
