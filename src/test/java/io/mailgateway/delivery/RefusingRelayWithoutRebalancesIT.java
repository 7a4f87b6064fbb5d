package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.MailGateway;
import io.mailgateway.consume.PartitionRewinds;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.TestRelay;

/**
 * Two instances in one consumer group wait for a relay that refuses their AUTH: each rewinds its partition to the
 * first unfinished request and pauses it, again and again, while the group keeps its members and its assignment
 * (no consumer is closed, none rejoins). Once the relay accepts again, every request is sent exactly once.
 */
class RefusingRelayWithoutRebalancesIT {

    private static final String GROUP = "mail-gateway-rebalance";
    private static final String OUTBOUND = "mail.outbound";
    /**
     * The request consumers' client ids: each instance's GATEWAY_INSTANCE_ID. A consumer closed and made anew would
     * rejoin the group, and the other instance's consumer would count that rebalance.
     */
    private static final Pattern REQUEST_CONSUMER = Pattern.compile(Pattern.quote(GROUP) + "-[ab]");
    private static final int REQUESTS = 8;

    @Test
    void twoInstancesWaitForARefusingRelayWithoutRebalancingThenSendEveryRequestOnce(@TempDir Path work)
            throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work.resolve("relay"), false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(2, OUTBOUND);
            broker.createTopics(1, "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            List<Main> gateways = new ArrayList<>();
            int managementPort = FreePorts.next();
            try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                gateways.add(start(broker, relay, "a", managementPort));
                gateways.add(start(broker, relay, "b", FreePorts.next()));
                // Both members hold a partition each: the group is settled before the relay starts refusing.
                await().atMost(Duration.ofSeconds(60)).until(() -> settled(broker));
                Map<String, Double> before = rebalancesByConsumer();
                assertThat(before).as("request consumers in this JVM").hasSize(2);

                relay.server().changeCredentials(TestRelay.USERNAME, "rotated-" + UUID.randomUUID());
                List<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> "waits-" + i + "-" + UUID.randomUUID()).toList();
                for (String id : ids) {
                    kafka.send(OUTBOUND, id, """
                            {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
                }

                // Each instance has found its requests unfinished and rewound its partition more than once: the
                // first time when AUTH failed, then each time its wait for the relay ran out.
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> gateways.stream().allMatch(g -> rewinds(g).rewinds() >= 2));
                Map<String, Double> during = rebalancesByConsumer();
                System.out.printf("rebalances per request consumer: before %s, while waiting %s%n", before, during);
                assertThat(during).as("same consumers (none closed and recreated), no further rebalance")
                        .isEqualTo(before);
                assertThat(settled(broker)).isTrue();
                assertThat(ManagementPort.get(managementPort, "/observe/metrics").body())
                        .containsPattern("(?m)^mail_gateway_consumer_rewinds_total(\\{[^}]*})? ([2-9]|[1-9][0-9])");
                assertThat(ids).allSatisfy(id -> assertThat(results.allJson(id)).as(id).isEmpty());

                relay.server().changeCredentials(TestRelay.USERNAME, relay.password());

                for (String id : ids) {
                    assertThat(results.awaitStatus(id, "SENT").get("terminal").asBoolean()).isTrue();
                }
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        kafka.committedOffset(GROUP, OUTBOUND, 0) + kafka.committedOffset(GROUP, OUTBOUND, 1) == REQUESTS);
                // One result per request, and one mail. A request that was sent while an earlier one of its partition
                // still failed (the relay came back mid-flight) is read again with it and answered with its recorded
                // result as a replay (README, "What the gateway promises"), which says what the original said.
                assertThat(ids).allSatisfy(id -> {
                    List<JsonNode> all = results.allJson(id);
                    assertThat(results.originalResults(id)).as(id).hasSize(1);
                    assertThat(all).as(id).extracting(result -> result.get("status").asText() + " "
                            + result.get("messageId").asText()).containsOnly(all.get(0).get("status").asText() + " "
                            + all.get(0).get("messageId").asText());
                });
                assertThat(relay.server().received()).as("one mail per request").hasSize(REQUESTS);
                assertThat(rebalancesByConsumer()).isEqualTo(before);
            } finally {
                for (Main gateway : gateways) {
                    gateway.stop();
                }
            }
        }
    }

    private static Main start(LocalKafkaBroker broker, TestRelay relay, String name, int managementPort) {
        Map<String, String> settings = InJvmGateway.settings(broker.bootstrapServers(), GROUP, relay);
        settings.putAll(Map.of(
                "camel.main.name", "mail-gateway-" + name,
                "gateway.instance-id", GROUP + "-" + name,
                "gateway.smtp.probe-interval-ms", "200",
                "gateway.kafka.rewind-backoff-ms", "200",
                "gateway.kafka.rewind-backoff-max-ms", "1000",
                "camel.management.port", String.valueOf(managementPort)));
        Main gateway = MailGateway.newMain(settings);
        gateway.start();
        return gateway;
    }

    private static PartitionRewinds rewinds(Main gateway) {
        return gateway.getCamelContext().getRegistry().lookupByNameAndType("partitionRewinds", PartitionRewinds.class);
    }

    /** Two members, one partition of the request topic each, and no rebalance under way. */
    private static boolean settled(LocalKafkaBroker broker) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP)
                    .get(30, TimeUnit.SECONDS);
            return group.state() == ConsumerGroupState.STABLE && group.members().size() == 2
                    && group.members().stream().map(MemberDescription::assignment)
                            .allMatch(a -> a.topicPartitions().size() == 1);
        }
    }

    /**
     * Each request consumer's count of rebalances it took part in (the Kafka client's {@code rebalance-total}), by
     * client id; a consumer closed and created again shows as a new client id.
     */
    private static Map<String, Double> rebalancesByConsumer() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Double> rebalances = new TreeMap<>();
        for (ObjectName name : server.queryNames(new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,client-id=*"), null)) {
            String client = name.getKeyProperty("client-id");
            if (REQUEST_CONSUMER.matcher(client).matches()) {
                rebalances.put(client, (Double) server.getAttribute(name, "rebalance-total"));
            }
        }
        return rebalances;
    }
}
