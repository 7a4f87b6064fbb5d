package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.MailGateway;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * Requests read a second time, after they were all sent and committed, send nothing twice: each gets its original
 * terminal result again, marked {@code "replay": true} and otherwise identical, and the relay receives no new mail.
 * Once when an operator resets the consumer group to the earliest offset while the gateway is stopped, and once when
 * a gateway with a new group id (a second deployment, a renamed group) reads the request topic from its start; the
 * completed requests are known from the state topic either way.
 */
class ConsumerGroupResetIT {

    private static final int REQUESTS = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static LocalKafkaBroker broker;
    static TestRelay relay;
    static KafkaTopics kafka;
    static KafkaTopics.Reader results;

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
        broker.createTopics(1, "reset.outbound", "renamed.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
        relay = new TestRelay(work, false);
        kafka = new KafkaTopics(broker.bootstrapServers());
        results = kafka.read("mail.results");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {results, kafka, relay, broker}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the next one still has to go
            }
        }
    }

    @Test
    void groupResetToEarliestWhileStoppedReplaysEveryResultAndSendsNothingTwice() throws Exception {
        String topic = "reset.outbound";
        String group = "reset-" + UUID.randomUUID();
        List<String> ids = publish(topic, "reset-");
        Map<String, JsonNode> originals = sendAll(topic, group, ids);
        int mailsBefore = relay.server().received().size();

        resetToEarliest(group, topic);
        assertThat(kafka.committedOffset(group, topic, 0)).isZero();

        Main again = gateway(topic, group);
        try {
            assertReplayed(topic, group, ids, originals);
        } finally {
            again.stop();
        }
        assertThat(relay.server().received()).hasSize(mailsBefore);
    }

    @Test
    void gatewayWithANewGroupIdReadingFromTheStartReplaysEveryResultAndSendsNothingTwice() throws Exception {
        String topic = "renamed.outbound";
        List<String> ids = publish(topic, "renamed-");
        Map<String, JsonNode> originals = sendAll(topic, "old-" + UUID.randomUUID(), ids);
        int mailsBefore = relay.server().received().size();

        // A new group has no committed offset: it starts at the earliest record.
        String renamed = "new-" + UUID.randomUUID();
        Main second = gateway(topic, renamed);
        try {
            assertReplayed(topic, renamed, ids, originals);
        } finally {
            second.stop();
        }
        assertThat(relay.server().received()).hasSize(mailsBefore);
    }

    /** Publishes the requests, each to a recipient of its own, and returns their ids. */
    private static List<String> publish(String topic, String prefix) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> prefix + run + "-" + i).toList();
        for (String id : ids) {
            kafka.send(topic, id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "once", "text": "t"}""".formatted(id, id));
        }
        return ids;
    }

    /** Runs a gateway until every request is SENT, mailed and committed; returns the terminal results by id. */
    private static Map<String, JsonNode> sendAll(String topic, String group, List<String> ids) throws Exception {
        Main gateway = gateway(topic, group);
        try {
            for (String id : ids) {
                JsonNode sent = results.awaitStatus(id, "SENT");
                assertThat(sent.get("terminal").asBoolean()).isTrue();
                assertThat(sent.has("replay")).isFalse();
            }
            await().atMost(WAIT).until(() -> kafka.committedOffset(group, topic, 0) == REQUESTS);
        } finally {
            gateway.stop();
        }
        assertThat(Mails.copiesPerRecipient(relay.server().received()))
                .containsAllEntriesOf(ids.stream().collect(Collectors.toMap(id -> id + "@example.org", id -> 1)));
        return ids.stream().collect(Collectors.toMap(id -> id, id -> results.allJson(id).get(0)));
    }

    /** Every request got exactly one more result, its original one marked as a replay, and all are committed. */
    private static void assertReplayed(String topic, String group, List<String> ids, Map<String, JsonNode> originals) {
        for (String id : ids) {
            await().atMost(WAIT).until(() -> results.allJson(id).size() >= 2);
        }
        await().atMost(WAIT).until(() -> kafka.committedOffset(group, topic, 0) == REQUESTS);
        for (String id : ids) {
            List<JsonNode> all = results.allJson(id);
            assertThat(all).as(id).hasSize(2);
            JsonNode replay = all.get(1);
            assertThat(replay.get("replay").asBoolean()).as(id).isTrue();
            ObjectNode withoutFlag = replay.deepCopy();
            withoutFlag.remove("replay");
            assertThat(withoutFlag).as(id).isEqualTo(originals.get(id));
        }
    }

    /**
     * Sets the group's committed offset of the topic's only partition back to 0, as
     * {@code kafka-consumer-groups --reset-offsets --to-earliest} does.
     */
    private static void resetToEarliest(String group, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            // Only an empty group can be reset: the stopped gateway must have left it.
            await().atMost(WAIT).until(() -> admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get().state() == ConsumerGroupState.EMPTY);
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Main gateway(String topic, String group) throws Exception {
        Map<String, String> settings = InJvmGateway.settings(broker.bootstrapServers(), group, relay);
        settings.put("gateway.topic.outbound", topic);
        settings.put("camel.management.port", String.valueOf(FreePorts.next()));
        Main main = MailGateway.newMain(settings);
        main.start();
        return main;
    }
}
