package io.mailgateway.delivery;

import static io.mailgateway.support.ScriptedSmtpServer.Action.delayedReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;

/**
 * SIGTERM while mail is in flight to a slow relay: the packaged gateway stops polling, finishes what it has in hand,
 * publishes and commits it, and exits within GATEWAY_SHUTDOWN_TIMEOUT_SECONDS. Started again, it completes every
 * remaining request and sends no second mail for the ones the relay already accepted.
 */
class GracefulShutdownIT {

    /** More than one poll's worth (GATEWAY_MAX_POLL_RECORDS, 10), so some are left even if a poll's are all in flight. */
    private static final int REQUESTS = 20;
    /** The relay confirms each message this long after the final ".". */
    private static final Duration SLOW_CONFIRMATION = Duration.ofMillis(1500);
    /**
     * At least the longest submission the SMTP settings below allow (2 x 1 s + (13 + 1) x 4 s + 2 s), or the gateway
     * refuses to start; a relay that answers lets it exit long before.
     */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "gateway";
    private static final String PASSWORD = "graceful-relay-password";
    private static final String FROM = "noreply@acme.example";
    private static final String GROUP = "mail-gateway";

    @Test
    void sigtermFinishesTheMailInFlightAndARestartCompletesTheRestWithoutASecondMail(@TempDir Path work)
            throws Exception {
        LocalCertificate certificate = LocalCertificate.create(work.resolve("relay-tls"));
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                ScriptedSmtpServer slow = ScriptedSmtpServer.builder().startTls(certificate).credentials(USER, PASSWORD)
                        .on(Command.DATA_END, delayedReply(SLOW_CONFIRMATION, 250, "2.0.0 Ok: queued")).start();
                // After the restart the relay is quick again, so the rest does not take long.
                ScriptedSmtpServer quick = ScriptedSmtpServer.builder().startTls(certificate).credentials(USER, PASSWORD).start();
                RelaySwitch relay = RelaySwitch.start();
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            relay.routeTo(slow);
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");
            Map<String, String> environment = Map.ofEntries(
                    Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                    Map.entry("SMTP_HOST", ScriptedSmtpServer.HOST),
                    Map.entry("SMTP_PORT", String.valueOf(relay.port())),
                    Map.entry("SMTP_USERNAME", USER),
                    Map.entry("SMTP_PASSWORD", PASSWORD),
                    Map.entry("SMTP_TRUST_CA_FILE", certificate.caPemFile().toString()),
                    Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                    Map.entry("GATEWAY_DEFAULT_FROM", FROM),
                    Map.entry("SMTP_CONNECT_TIMEOUT_MS", "1000"),
                    Map.entry("SMTP_READ_TIMEOUT_MS", "4000"),
                    Map.entry("SMTP_WRITE_TIMEOUT_MS", "2000"),
                    Map.entry("GATEWAY_MAX_RECIPIENTS", "1"),
                    Map.entry("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS", String.valueOf(SHUTDOWN_TIMEOUT.toSeconds())));
            // The offset of each request is its index.
            List<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> "graceful-" + i).toList();
            for (String id : ids) {
                kafka.send("mail.outbound", id, """
                        {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
            }

            try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                Duration shutdown;
                try (GatewayProcess first = GatewayProcess.start(Files.createDirectories(work.resolve("first")), environment)) {
                    // The second message is with the relay, waiting for its confirmation, when SIGTERM comes.
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                            .until(() -> slow.messages().size() >= 2);
                    long signalled = System.nanoTime();
                    first.stop();
                    shutdown = Duration.ofNanos(System.nanoTime() - signalled);
                    System.out.printf("graceful shutdown: exited %d ms after SIGTERM, %d of %d mails accepted%n",
                            shutdown.toMillis(), slow.messages().size(), REQUESTS);
                }
                // Each promise of the shutdown is checked, and every one that is broken is reported.
                SoftAssertions shutdownPromises = new SoftAssertions();
                shutdownPromises.assertThat(shutdown).as("exit after SIGTERM, within GATEWAY_SHUTDOWN_TIMEOUT_SECONDS")
                        .isLessThan(SHUTDOWN_TIMEOUT);
                // Whatever the relay accepted has its result published and its offset committed.
                Set<String> accepted = acceptedIds(slow, ids);
                shutdownPromises.assertThat(accepted).contains(ids.get(0), ids.get(1));
                shutdownPromises.assertThat(accepted)
                        .as("SIGTERM stops polling and finishes the mail in hand only: requests left for the restart")
                        .hasSizeLessThan(REQUESTS);
                try {
                    // The results reader follows the topic a little behind.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> accepted.stream().allMatch(id -> terminal(results, id) != null));
                } catch (ConditionTimeoutException missing) {
                    // reported below, id by id
                }
                for (String id : accepted) {
                    JsonNode result = terminal(results, id);
                    shutdownPromises.assertThat(result == null ? "no result" : result.get("status").asText())
                            .as("terminal result of %s, accepted by the relay", id).isEqualTo("SENT");
                }
                int lastAccepted = accepted.stream().mapToInt(ids::indexOf).max().orElseThrow();
                shutdownPromises.assertThat(kafka.committedOffset(GROUP, "mail.outbound", 0))
                        .as("committed offset after the last request the relay accepted (offset %d)", lastAccepted)
                        .isGreaterThanOrEqualTo(lastAccepted + 1);
                shutdownPromises.assertAll();

                relay.routeTo(quick);
                try (GatewayProcess second = GatewayProcess.start(Files.createDirectories(work.resolve("second")), environment)) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> ids.stream().allMatch(id -> terminal(results, id) != null));
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> kafka.committedOffset(GROUP, "mail.outbound", 0) == REQUESTS);
                }
                for (String id : ids) {
                    List<JsonNode> terminal = results.allJson(id).stream().filter(r -> r.get("terminal").asBoolean()).toList();
                    assertThat(terminal).as(id).isNotEmpty()
                            .allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("SENT"));
                }
                Map<String, Integer> once = new TreeMap<>();
                ids.forEach(id -> once.put(id + "@example.org", 1));
                Map<String, Integer> copies = new TreeMap<>();
                for (ScriptedSmtpServer server : List.of(slow, quick)) {
                    server.messages().forEach(m -> m.envelopeRecipients().forEach(r -> copies.merge(r, 1, Integer::sum)));
                }
                assertThat(copies).isEqualTo(once);
            }
        }
    }

    private static Set<String> acceptedIds(ScriptedSmtpServer relay, List<String> ids) {
        Map<String, String> idByMessageId = ids.stream()
                .collect(Collectors.toMap(id -> MessageIds.forRequest(id, FROM), id -> id));
        return relay.messages().stream().map(m -> idByMessageId.get(Mails.messageId(m.raw()))).collect(Collectors.toSet());
    }

    private static JsonNode terminal(KafkaTopics.Reader results, String id) {
        return results.allJson(id).stream().filter(r -> r.get("terminal").asBoolean()).findFirst().orElse(null);
    }
}
