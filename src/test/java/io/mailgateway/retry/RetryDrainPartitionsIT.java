package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.local.LocalSmtpServer;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.support.InJvmGateway;

/**
 * Requests deferred several times on a short schedule while the relay answers 4xx, with retry and state topics of
 * three partitions as deployed: once the relay accepts again every request ends SENT with exactly one mail, whichever
 * partition its retries wait in.
 */
class RetryDrainPartitionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 60;
    private static final String RETRY = "drain.retry";
    private static final String STATE = "drain.state";

    @Test
    void requestsDeferredSeveralTimesAllEndSentOnceInEveryPartition(@TempDir Path work) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"))) {
            drain(work, broker);
        }
    }

    private static void drain(Path work, LocalKafkaBroker broker) throws Exception {
        broker.createTopics(3, RETRY, STATE);
        Map<String, String> settings = new HashMap<>(Map.of(
                "gateway.topic.retry", RETRY,
                "gateway.topic.state", STATE,
                "gateway.retry.schedule", "1s",
                "gateway.retry.max-age", "10m",
                // the timer's period as deployed: rounds come back-to-back only while a backlog drains
                "gateway.retry.poll-interval-ms", "1000"));
        try (InJvmGateway gateway = InJvmGateway.start(work.resolve("gateway"), broker, settings)) {
            LocalSmtpServer relay = gateway.relay().server();
            relay.rejectMessages(451, "4.3.0 try again later");
            List<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> "again-" + i + "-" + UUID.randomUUID())
                    .toList();
            for (String id : ids) {
                gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                        {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
            }
            // Every request deferred by its first attempt and by at least one retry, whichever partition it waits in.
            // A round that ended at its first deferred retry never started the rest: one partition's waited for ever.
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(deferredTwice(gateway))
                    .as(() -> "deferred at least twice; results so far: " + attemptsById(gateway)).containsAll(ids));
            relay.clearFaults();

            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(sent(gateway))
                    .as(() -> "SENT; results so far: " + attemptsById(gateway)).containsAll(ids));
            Map<String, Integer> mailsPerRecipient = new HashMap<>();
            for (ReceivedMail mail : relay.received()) {
                mail.envelopeRecipients().forEach(to -> mailsPerRecipient.merge(to, 1, Integer::sum));
            }
            for (String id : ids) {
                assertThat(mailsPerRecipient).containsEntry(id + "@example.org", 1);
            }
        }
    }

    private static Set<String> deferredTwice(InJvmGateway gateway) {
        Set<String> ids = new HashSet<>();
        for (JsonNode result : results(gateway)) {
            if ("DEFERRED".equals(result.path("status").asText()) && result.path("attempt").asInt() >= 2) {
                ids.add(result.path("id").asText());
            }
        }
        return ids;
    }

    /** Each request's results so far, by request id and the retry partition its key goes to. */
    private static Map<String, String> attemptsById(InJvmGateway gateway) {
        Map<String, String> attempts = new TreeMap<>();
        for (JsonNode result : results(gateway)) {
            String id = result.path("id").asText();
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 3;
            attempts.merge(id + " (partition " + partition + ")",
                    result.path("status").asText() + result.path("attempt").asInt(), (a, b) -> a + "," + b);
        }
        return attempts;
    }

    private static Set<String> sent(InJvmGateway gateway) {
        Set<String> ids = new HashSet<>();
        for (JsonNode result : results(gateway)) {
            if ("SENT".equals(result.path("status").asText())) {
                ids.add(result.path("id").asText());
            }
        }
        return ids;
    }

    private static List<JsonNode> results(InJvmGateway gateway) {
        return gateway.results().records().stream().map(RetryDrainPartitionsIT::json).toList();
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (java.io.IOException notJson) {
            // The gateway writes only JSON results; such a record counts for nothing and the awaits say what is missing.
            return JSON.createObjectNode();
        }
    }
}
