package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;

/**
 * The Kafka broker stops while requests are flowing and comes back on the same port with the same data: afterwards
 * every request has a terminal result, every recipient got the mail, and duplicates stay within the documented bound
 * (at most one extra copy per request in flight, that is per consumer thread).
 */
class BrokerRestartIT {

    private static final int BEFORE = 150;
    private static final int DURING = 30;
    /** One consumer thread: at most one request in flight when the broker goes. */
    private static final int CONSUMERS = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void brokerRestartedWhileRequestsFlowLosesNothingAndDuplicatesStayWithinTheBound(@TempDir Path work)
            throws Exception {
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of(
                "gateway.consumers", String.valueOf(CONSUMERS),
                // nothing should be deferred, but if it is, it must not expire while the broker is away
                "gateway.retry.max-age", "5m"))) {
            KafkaTopics.Reader results = gateway.results();
            List<String> before = ids("before-", BEFORE);
            List<String> during = ids("during-", DURING);
            before.forEach(id -> request(gateway, id));
            await().atMost(Duration.ofSeconds(30)).until(() -> results.records().size() >= 20);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);

            gateway.broker().stop();
            int resultsBeforeStop = results.records().size();
            // Producers keep publishing; their records wait in the client until the broker is back.
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> during.forEach(id -> request(gateway, id)));
            // Readiness reports the lost broker.
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 503);
            gateway.broker().restart();
            publishing.get();

            List<String> all = new ArrayList<>(before);
            all.addAll(during);
            await().atMost(Duration.ofSeconds(90)).until(() -> terminalIds(results).containsAll(all));
            long end = BEFORE + DURING;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0) == end);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);

            // Two terminal results for one id never disagree (a second one is a replay of the first).
            for (String id : all) {
                List<JsonNode> terminal = results.allJson(id).stream().filter(r -> r.get("terminal").asBoolean()).toList();
                assertThat(terminal).as(id).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("SENT"));
                assertThat(terminal.stream().map(r -> r.get("messageId").asText()).distinct()).as(id).hasSize(1);
            }
            Map<String, Integer> copies = Mails.copiesPerRecipient(gateway.relay().server().received());
            assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(
                    all.stream().map(BrokerRestartIT::recipient).collect(Collectors.toSet()));
            int duplicates = copies.values().stream().mapToInt(n -> n - 1).sum();
            System.out.printf("broker restart: %d requests, %d results before the stop, %d duplicate mails,"
                    + " %d results in all%n", all.size(), resultsBeforeStop, duplicates, results.records().size());
            assertThat(duplicates).isLessThanOrEqualTo(CONSUMERS);
        }
    }

    private static List<String> ids(String prefix, int count) {
        String run = Long.toString(System.nanoTime(), 36);
        return IntStream.range(0, count).mapToObj(i -> prefix + run + "-" + i).toList();
    }

    private static String recipient(String id) {
        return id + "@example.org";
    }

    private static void request(InJvmGateway gateway, String id) {
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "broker restart", "text": "t"}""".formatted(id, recipient(id)));
    }

    private static Set<String> terminalIds(KafkaTopics.Reader results) {
        Map<String, Boolean> terminal = new HashMap<>();
        results.records().forEach(record -> {
            if (record.key() != null) {
                terminal.merge(record.key(), isTerminal(record.value()), Boolean::logicalOr);
            }
        });
        return terminal.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private static boolean isTerminal(byte[] result) {
        try {
            return JSON.readTree(result).path("terminal").asBoolean();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
