package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * The packaged jar when Kafka says no: with the broker down at start-up, a topic missing, and a result the results
 * topic refuses after the relay accepted the mail. Each time readiness is DOWN meanwhile, the request completes
 * once the fault is fixed, without a restart, and the relay gets one mail per request id.
 */
class PackagedJarKafkaFaultsIT {

    @Test
    void thePackagedJarSendsEachRequestOnceThroughKafkaFaultsAndRecoversWithoutARestart(@TempDir Path work)
            throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
        try (TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            // mail.dlq is missing at first.
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.retry", "mail.state", "mail.suppressions");
            broker.stop();
            Map<String, String> environment = new HashMap<>(relay.gatewayEnvironment(work));
            environment.putAll(Map.ofEntries(
                            Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                            Map.entry("GATEWAY_GROUP_ID", "packaged-jar-faults"),
                            Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                            Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example"),
                            Map.entry("GATEWAY_KAFKA_RECHECK_INTERVAL_MS", "500"),
                            Map.entry("GATEWAY_KAFKA_MAX_BLOCK_MS", "2000")));
            try (GatewayProcess gateway = GatewayProcess.startAlive(Files.createDirectories(work.resolve("run")),
                    environment)) {
                // 1. No broker at start-up: alive, not ready.
                assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(503);
                broker.restart();

                // 2. The broker is back, but a topic the gateway writes is missing: still not ready, and it says why.
                await().atMost(Duration.ofSeconds(60)).until(() -> gateway.get("/observe/health/ready").body()
                        .contains("topic mail.dlq does not exist"));
                try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                    kafka.send("mail.outbound", "jar-fault-1", request("jar-fault-1"));
                    assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(503);
                    assertThat(relay.server().acceptedCount()).isZero();
                    try (Admin admin = admin(broker)) {
                        admin.createTopics(List.of(new NewTopic("mail.dlq", 1, (short) 1))).all().get();
                    }
                    results.awaitStatus("jar-fault-1", "SENT");
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> gateway.httpStatus("/observe/health/ready") == 200);
                    assertThat(relay.server().acceptedCount()).isEqualTo(1);

                    // 3. The results topic refuses the result after the relay accepted the mail.
                    setResultsLimit(broker, "64");
                    kafka.send("mail.outbound", "jar-fault-2", request("jar-fault-2"));
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> gateway.get("/observe/health/ready").body().contains("not yet recorded"));
                    assertThat(relay.server().acceptedCount()).isEqualTo(2);
                    assertThat(gateway.output()).contains("The outcome of request jar-fault-2 (SENT) could not be"
                            + " recorded");
                    setResultsLimit(broker, null);
                    results.awaitStatus("jar-fault-2", "SENT");
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> gateway.httpStatus("/observe/health/ready") == 200);
                    await().atMost(Duration.ofSeconds(30)).until(() -> kafka.committedOffset(
                            "packaged-jar-faults", "mail.outbound", 0) == 2);
                    assertThat(relay.server().acceptedCount()).as("one mail per request id").isEqualTo(2);
                    assertThat(gateway.isAlive()).isTrue();
                }
            }
        } finally {
            broker.close();
        }
    }

    private static String request(String id) {
        return """
                {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id);
    }

    /** Sets, or with null removes, the results topic's max.message.bytes, as an operator would with kafka-configs. */
    private static void setResultsLimit(LocalKafkaBroker broker, String bytes) throws Exception {
        AlterConfigOp op = bytes == null
                ? new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""), AlterConfigOp.OpType.DELETE)
                : new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, bytes), AlterConfigOp.OpType.SET);
        Map<ConfigResource, Collection<AlterConfigOp>> change =
                Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "mail.results"), List.of(op));
        try (Admin admin = admin(broker)) {
            admin.incrementalAlterConfigs(change).all().get();
        }
    }

    private static Admin admin(LocalKafkaBroker broker) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(props);
    }
}
