package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * The packaged gateway killed with SIGKILL in the middle of a backlog (restarted, or with a second instance taking
 * over): every request still ends in a terminal result, every recipient gets the mail, and duplicates stay within
 * the in-flight bound.
 */
class CrashRecoveryIT {

    private static final int REQUESTS = 2000;
    private static final int PARTITIONS = 3;
    /** Requests in flight per instance: the bound on duplicate mails per killed instance. */
    private static final int PARALLEL_SENDS = 8;

    @Test
    void killedGatewayLosesNothingAfterRestartAndDuplicatesStayWithinTheInFlightBound(@TempDir Path work)
            throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(PARTITIONS, "mail.outbound");
            broker.createTopics(1, "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            List<String> ids = publishBacklog(kafka, "crash-", REQUESTS);
            Map<String, String> environment = environment(work, broker, relay);

            try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                long started = System.nanoTime();
                try (GatewayProcess first = GatewayProcess.start(Files.createDirectories(work.resolve("first")), environment)) {
                    await().atMost(Duration.ofSeconds(120)).until(() -> results.records().size() >= REQUESTS / 3);
                    first.kill();
                }
                int resultsBeforeCrash = results.records().size();
                long restarted = System.nanoTime();
                try (GatewayProcess second = GatewayProcess.start(Files.createDirectories(work.resolve("second")), environment)) {
                    await().atMost(Duration.ofSeconds(180)).until(() -> terminalIds(results).containsAll(ids));
                    long recovered = System.nanoTime();

                    Map<String, Set<String>> statusesById = new HashMap<>();
                    for (String id : ids) {
                        statusesById.put(id, results.allJson(id).stream().filter(r -> r.get("terminal").asBoolean())
                                .map(r -> r.get("status").asText()).collect(Collectors.toSet()));
                    }
                    // Two terminal results for one id never disagree.
                    assertThat(statusesById.values()).allSatisfy(statuses -> assertThat(statuses).containsExactly("SENT"));

                    Map<String, Integer> copies = copiesPerRecipient(relay);
                    assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(
                            ids.stream().map(id -> id + "@example.org").toList());
                    int duplicates = copies.values().stream().mapToInt(n -> n - 1).sum();
                    int redeliveredResults = results.records().size() - REQUESTS;
                    System.out.printf("crash test: %d requests, %d results before the kill, %d duplicate mails,"
                            + " %d results published twice, %.1f s to finish after the restart (%.1f s in all)%n",
                            REQUESTS, resultsBeforeCrash, duplicates, redeliveredResults,
                            (recovered - restarted) / 1e9, (recovered - started) / 1e9);
                    // Only requests in flight when the gateway was killed can be sent twice.
                    assertThat(duplicates).isLessThanOrEqualTo(PARALLEL_SENDS);
                    assertThat(second.output()).doesNotContain("ERROR");
                }
            }
        }
    }

    @Test
    void whenOneOfTwoInstancesIsKilledTheOtherTakesOverItsPartitionsWithNothingLost(@TempDir Path work)
            throws Exception {
        int requests = 300;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(PARTITIONS, "mail.outbound");
            broker.createTopics(1, "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            List<String> ids = publishBacklog(kafka, "pair-", requests);
            Map<String, String> environment = environment(work, broker, relay);

            try (KafkaTopics.Reader results = kafka.read("mail.results");
                    GatewayProcess survivor = GatewayProcess.start(Files.createDirectories(work.resolve("a")), environment);
                    GatewayProcess victim = GatewayProcess.start(Files.createDirectories(work.resolve("b")), environment)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> results.records().size() >= requests / 3);
                victim.kill();

                await().atMost(Duration.ofSeconds(180)).until(() -> terminalIds(results).containsAll(ids));
                for (String id : ids) {
                    assertThat(results.allJson(id)).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("SENT"));
                }
                Map<String, Integer> copies = copiesPerRecipient(relay);
                assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(id -> id + "@example.org").toList());
                int duplicates = copies.values().stream().mapToInt(n -> n - 1).sum();
                System.out.printf("two instances: %d requests, %d duplicate mails, %d results in all%n",
                        requests, duplicates, results.records().size());
                // Only the killed instance's requests in flight can be sent twice.
                assertThat(duplicates).isLessThanOrEqualTo(PARALLEL_SENDS);
                assertThat(survivor.output()).doesNotContain("ERROR");
            }
        }
    }

    /** Publishes {@code count} requests, each to its own recipient, and returns their ids. */
    private static List<String> publishBacklog(KafkaTopics kafka, String prefix, int count) {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        for (String id : ids) {
            kafka.send("mail.outbound", id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "backlog", "text": "t"}""".formatted(id, id));
        }
        return ids;
    }

    private static Map<String, String> environment(Path work, LocalKafkaBroker broker, TestRelay relay) {
        Map<String, String> environment = new HashMap<>(relay.gatewayEnvironment(work));
        environment.putAll(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example",
                "GATEWAY_DEFAULT_FROM", "noreply@acme.example",
                "GATEWAY_PARALLEL_SENDS", String.valueOf(PARALLEL_SENDS)));
        return environment;
    }

    private static Map<String, Integer> copiesPerRecipient(TestRelay relay) {
        Map<String, Integer> copies = new HashMap<>();
        for (ReceivedMail mail : relay.server().received()) {
            mail.envelopeRecipients().forEach(r -> copies.merge(r, 1, Integer::sum));
        }
        return copies;
    }

    private static Set<String> terminalIds(KafkaTopics.Reader results) {
        Set<String> ids = new HashSet<>();
        results.records().forEach(r -> {
            JsonNode json = results.allJson(r.key()).get(0);
            if (json.get("terminal").asBoolean()) {
                ids.add(r.key());
            }
        });
        return ids;
    }
}
