package io.mailgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.mailgateway.MailGateway;
import io.mailgateway.local.LocalKafkaBroker;

/**
 * The gateway's routes in this JVM against a real Kafka broker (a child process) and a relay that requires STARTTLS
 * and AUTH and is trusted only through its CA file; the request topic takes records of up to 16 MiB.
 */
public final class InJvmGateway implements AutoCloseable {

    public static final String OUTBOUND = "mail.outbound";
    public static final String RESULTS = "mail.results";
    public static final String DLQ = "mail.dlq";
    public static final String SUPPRESSIONS = "mail.suppressions";
    public static final String GROUP = "mail-gateway-it";
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private final LocalKafkaBroker broker;
    private final TestRelay relay;
    private final Main gateway;
    private final KafkaTopics kafka;
    private final KafkaTopics.Reader results;
    private final KafkaTopics.Reader deadLetters;
    private final int managementPort;

    private InJvmGateway(LocalKafkaBroker broker, TestRelay relay, Main gateway, KafkaTopics kafka, int managementPort) {
        this.broker = broker;
        this.relay = relay;
        this.gateway = gateway;
        this.kafka = kafka;
        this.managementPort = managementPort;
        this.results = kafka.read(RESULTS);
        this.deadLetters = kafka.read(DLQ);
    }

    /**
     * Starts everything; senders of acme.example are allowed, noreply@acme.example is the default From, tenant
     * "acme" exists, and deferred requests are retried every 300 ms and expire after 3 s.
     *
     * @param settings    gateway settings that win over those defaults
     * @param extraTopics further topics to create, e.g. one the gateway must never write to
     */
    public static InJvmGateway start(Path work, Map<String, String> settings, String... extraTopics) {
        return start(work, LocalKafkaBroker.start(work.resolve("kafka")), settings, extraTopics);
    }

    /** The same with a broker the test started (and this gateway closes), e.g. one that checks rights. */
    public static InJvmGateway start(Path work, LocalKafkaBroker broker, Map<String, String> settings,
            String... extraTopics) {
        TestRelay relay = null;
        try {
            createTopics(broker.bootstrapServers(), extraTopics);
            relay = new TestRelay(work, false);
            Path tenants = Files.writeString(work.resolve("tenants.yaml"), """
                    tenants:
                      acme:
                        from: {address: shop@acme.example, name: ACME Shop}
                        replyTo: support@acme.example
                        variables:
                          brand: {name: ACME, url: "https://acme.example"}
                    """);
            int managementPort = FreePorts.next();
            Map<String, String> all = settings(broker.bootstrapServers(), GROUP, relay);
            all.putAll(Map.ofEntries(
                    // Retries within a test's patience.
                    Map.entry("gateway.retry.schedule", "300ms"),
                    Map.entry("gateway.retry.max-age", "3s"),
                    Map.entry("gateway.retry.poll-interval-ms", "100"),
                    Map.entry("gateway.smtp.probe-interval-ms", "200"),
                    Map.entry("gateway.kafka.recheck-interval-ms", "200"),
                    Map.entry("gateway.tenants-file", tenants.toString()),
                    Map.entry("camel.management.port", String.valueOf(managementPort))));
            all.putAll(settings);
            Main gateway = MailGateway.newMain(all);
            gateway.start();
            return new InJvmGateway(broker, relay, gateway, new KafkaTopics(broker.bootstrapServers(),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES)), managementPort);
        } catch (IOException e) {
            broker.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            broker.close();
            throw e;
        }
    }

    /**
     * What every test gateway is started with: its broker and consumer group, the test relay, and acme.example as
     * the allowed sender domain with noreply@acme.example as the default From. A fresh map, for the test to add to.
     */
    public static Map<String, String> settings(String bootstrapServers, String group, TestRelay relay) {
        Map<String, String> settings = new HashMap<>(relay.gatewaySettings());
        settings.put("camel.component.kafka.brokers", bootstrapServers);
        settings.put("gateway.group-id", group);
        settings.put("gateway.allowed-sender-domains", "acme.example");
        settings.put("gateway.default-from", "noreply@acme.example");
        return settings;
    }

    private static void createTopics(String bootstrapServers, String... extraTopics) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            NewTopic outbound = new NewTopic(OUTBOUND, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES)));
            List<NewTopic> topics = new ArrayList<>(List.of(outbound, new NewTopic(RESULTS, 1, (short) 1),
                    new NewTopic(DLQ, 1, (short) 1), new NewTopic("mail.retry", 1, (short) 1),
                    new NewTopic("mail.state", 1, (short) 1), new NewTopic(SUPPRESSIONS, 1, (short) 1)));
            for (String extra : extraTopics) {
                topics.add(new NewTopic(extra, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the gateway's topics", e);
        }
    }

    public LocalKafkaBroker broker() {
        return broker;
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

    /** A bean of the running gateway, e.g. to await that it has read a record of a topic it follows. */
    public <T> T bean(String name, Class<T> type) {
        return gateway.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    /** The body of a management endpoint, e.g. /observe/metrics. */
    public String httpBody(String path) throws IOException {
        return ManagementPort.get(managementPort, path).body();
    }

    /** The HTTP status of a management endpoint, or -1 while nothing answers. */
    public int httpStatus(String path) {
        return ManagementPort.status(managementPort, path);
    }

    @Override
    public void close() throws Exception {
        gateway.stop();
        for (AutoCloseable closeable : new AutoCloseable[] {results, deadLetters, kafka, relay, broker}) {
            closeable.close();
        }
    }
}
