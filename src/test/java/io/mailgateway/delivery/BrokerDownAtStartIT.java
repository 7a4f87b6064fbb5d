package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.MailGateway;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.TestRelay;
import io.mailgateway.suppress.Suppression;

/**
 * The Kafka broker is down when the gateway starts, for longer than its readers of the state and suppression topics
 * wait for it in one call, and comes back later: readiness is DOWN meanwhile, naming those topics and the fault, and
 * afterwards requests flow without a restart, the suppression list included (with a malformed record in it). Before,
 * the first timeout ended those readers for good and every request waited forever while readiness said UP.
 */
class BrokerDownAtStartIT {

    private static final String SUPPRESSIONS = "mail.suppressions";

    @Test
    void brokerDownAtStartUpLongerThanTheFollowersTimeoutThenUpRequestsFlowWithoutARestart(@TempDir Path work)
            throws Exception {
        // Shortened waits: the same faults as with the defaults, in a few seconds.
        brokerDownAtStartUp(work, Duration.ofSeconds(2), Map.of(
                "gateway.follower.timeout-ms", "2000",
                "gateway.restart.backoff-min-ms", "200",
                "gateway.restart.backoff-max-ms", "2000"));
    }

    @Test
    void withTheDefaultWaitsTheBrokerDownForLongerThanThirtySecondsIsWaitedOutToo(@TempDir Path work)
            throws Exception {
        brokerDownAtStartUp(work, Duration.ofSeconds(30), Map.of());
    }

    private static void brokerDownAtStartUp(Path work, Duration followerTimeout, Map<String, String> waits)
            throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
        String blocked = "blocked-" + UUID.randomUUID() + "@example.org";
        try (TestRelay relay = new TestRelay(work, false)) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", SUPPRESSIONS);
            try (KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
                // The incident's record: addedAt plus the time to live lies beyond the last instant Java can hold.
                kafka.send(SUPPRESSIONS, "overflow@example.org", """
                        {"address": "overflow@example.org", "reason": "manual", "addedAt": "+1000000000-12-31T00:00:00Z"}"""
                        .getBytes(StandardCharsets.UTF_8), Map.of());
                kafka.send(SUPPRESSIONS, blocked,
                        new Suppression(blocked, Suppression.MANUAL, null, Instant.now(), null).toJson(), Map.of());
            }
            broker.stop();

            int managementPort = FreePorts.next();
            Map<String, String> settings = InJvmGateway.settings(broker.bootstrapServers(), "broker-down-at-start", relay);
            settings.put("camel.management.port", String.valueOf(managementPort));
            settings.putAll(waits);
            Main gateway = MailGateway.newMain(settings);
            gateway.start();
            try {
                Instant started = Instant.now();
                // Readiness names the state and suppression topics and why they are not read, once a call timed out.
                List<String> readiness = new ArrayList<>();
                await().atMost(followerTimeout.multipliedBy(3)).until(() -> {
                    String body = body(managementPort, "/observe/health/ready");
                    readiness.add(body);
                    return ManagementPort.status(managementPort, "/observe/health/ready") == 503
                            && body.contains("suppression-list") && body.contains("completed-requests")
                            && body.contains(SUPPRESSIONS) && body.contains("mail.state") && body.contains("Timeout");
                });
                // Down for longer than one wait of the followers, and then some: they have failed and started again.
                Duration downFor = followerTimeout.plus(followerTimeout.compareTo(Duration.ofSeconds(10)) < 0
                        ? followerTimeout.multipliedBy(3) : Duration.ofSeconds(5));
                await().atMost(downFor.plusSeconds(30))
                        .until(() -> Duration.between(started, Instant.now()).compareTo(downFor) > 0);
                assertThat(ManagementPort.status(managementPort, "/observe/health/ready")).isEqualTo(503);
                assertThat(ManagementPort.status(managementPort, "/observe/health/live")).isEqualTo(200);
                System.out.println("readiness while the broker was down: " + readiness.get(readiness.size() - 1));
                Duration down = Duration.between(started, Instant.now());

                broker.restart();
                Instant back = Instant.now();
                try (KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers());
                        KafkaTopics.Reader results = kafka.read("mail.results")) {
                    String sent = request(kafka, "open-" + UUID.randomUUID() + "@example.org");
                    String suppressed = request(kafka, blocked);
                    assertThat(awaitStatus(results, sent)).isEqualTo("SENT");
                    Duration firstResult = Duration.between(back, Instant.now());
                    assertThat(awaitStatus(results, suppressed)).isEqualTo("SUPPRESSED");
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> ManagementPort.status(managementPort, "/observe/health/ready") == 200);
                    Duration ready = Duration.between(back, Instant.now());
                    assertThat(body(managementPort, "/observe/metrics"))
                            .contains("mail_gateway_poison_records_total{topic=\"mail.suppressions\"} 1.0");
                    System.out.printf("broker down at start-up: down %d ms (follower timeout %d ms); after the broker"
                            + " was back: first result in %d ms, ready in %d ms%n", down.toMillis(),
                            followerTimeout.toMillis(), firstResult.toMillis(), ready.toMillis());
                }
            } finally {
                gateway.stop();
            }
        } finally {
            broker.close();
        }
    }

    private static String request(KafkaTopics kafka, String to) {
        String id = "down-at-start-" + UUID.randomUUID();
        kafka.send("mail.outbound", id, """
                {"id": "%s", "to": ["%s"], "subject": "s", "text": "t"}""".formatted(id, to));
        return id;
    }

    // Longer than KafkaTopics' own wait: the gateway's consumer joins its group only after the broker is back.
    private static String awaitStatus(KafkaTopics.Reader results, String id) {
        await().atMost(Duration.ofSeconds(90)).until(() -> !results.allJson(id).isEmpty());
        return results.allJson(id).get(0).get("status").asText();
    }

    private static String body(int port, String path) {
        try {
            return ManagementPort.get(port, path).body();
        } catch (IOException e) {
            return "";
        }
    }
}
