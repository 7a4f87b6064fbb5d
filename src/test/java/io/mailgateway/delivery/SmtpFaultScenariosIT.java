package io.mailgateway.delivery;

import static io.mailgateway.support.ScriptedSmtpServer.Action.delayedReply;
import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static io.mailgateway.support.ScriptedSmtpServer.Action.silence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;

/**
 * The delivery guarantees when the relay misbehaves, end to end: the gateway's routes in this JVM, a real Kafka
 * broker, and a relay (STARTTLS and AUTH required) that answers, drops, stays silent or is slow on cue. Every scenario
 * checks three things: the results published (progress events and the one terminal result, per-recipient statuses,
 * reason), who got the mail (each recipient exactly once, counted as the relay's positive replies to the final "."),
 * and that the consumer group's committed offset on the request topic reaches its end with no deferred request left
 * waiting.
 *
 * <p>Covered elsewhere and not repeated here: a relay that refuses the gateway's credentials (consumption stops,
 * readiness DOWN, resumes when the relay accepts again) in {@code RelayRefusalIT}; one of two recipients deferred at
 * RCPT, retried alone, in {@code GatewayIT}; the SMTP client's reading of each reply in {@code GatewayMailSenderIT}.
 * {@code GatewayIT} also checks the results of a 4xx and a 5xx after the final "." and of a refused recipient; the
 * scenarios here add who got the mail and the committed offsets.
 */
class SmtpFaultScenariosIT {

    private static final String OUTBOUND = InJvmGateway.OUTBOUND;
    private static final String USER = "gateway";
    private static final String PASSWORD = "relay-" + UUID.randomUUID();
    private static final String FROM = "noreply@acme.example";
    /** How long the gateway waits for each reply of the relay. */
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);
    /** Deferred requests come back after this. */
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static LocalCertificate certificate;
    static RelaySwitch relay;
    static InJvmGateway gateway;
    static int managementPort;

    /** The relays of the running scenario, in the order the test routed to them. */
    private final List<ScriptedSmtpServer> servers = new ArrayList<>();
    /** The ids the running scenario requested. */
    private final List<String> requested = new ArrayList<>();

    @BeforeAll
    static void start() {
        certificate = LocalCertificate.create(work.resolve("relay-tls"));
        relay = RelaySwitch.start();
        managementPort = FreePorts.next();
        gateway = InJvmGateway.start(work, Map.of(
                "gateway.smtp.host", ScriptedSmtpServer.HOST,
                "gateway.smtp.port", String.valueOf(relay.port()),
                "gateway.smtp.username", USER,
                "gateway.smtp.password", PASSWORD,
                "gateway.smtp.trust-ca-file", certificate.caPemFile().toString(),
                "gateway.smtp.read-timeout-ms", String.valueOf(READ_TIMEOUT.toMillis()),
                "gateway.retry.schedule", RETRY_DELAY.toMillis() + "ms",
                "gateway.retry.max-age", "2m",
                "camel.management.port", String.valueOf(managementPort)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    /**
     * Lets whatever a failed scenario left behind finish against a healthy relay, so that it cannot reach the next
     * scenario's relay.
     */
    @AfterEach
    void drainAndCloseServers() {
        relay.up();
        relay.routeTo(healthyRelay());
        try {
            requested.forEach(SmtpFaultScenariosIT::awaitTerminal);
        } finally {
            servers.forEach(ScriptedSmtpServer::close);
        }
    }

    // --- a slow relay: the records of one partition are sent in parallel, each once, all committed ---

    @Test
    void recordsOfOnePartitionAreSentInParallelWhileTheRelayIsSlow() {
        ScriptedSmtpServer slow = relayThat(b -> b.on(Command.DATA_END,
                delayedReply(Duration.ofMillis(700), 250, "2.0.0 Ok: queued slowly")));
        relay.routeTo(slow);
        // The request topic has one partition: every record below is in it.
        List<String> ids = new ArrayList<>();
        long lastOffset = -1;
        for (int i = 0; i < 6; i++) {
            String id = id("parallel-" + i);
            ids.add(id);
            lastOffset = request(id, "parallel" + i + "@example.org");
        }

        for (int i = 0; i < ids.size(); i++) {
            assertSent(awaitTerminal(ids.get(i)), Map.of("parallel" + i + "@example.org", "SENT"));
            assertMailedOnceEach(ids.get(i), "parallel" + i + "@example.org");
        }
        assertNothingLeftBehind(lastOffset);
        // While the first mail waits for its reply, the records behind it are polled and sent side by side.
        assertThat(slow.mostActiveConnections()).isGreaterThanOrEqualTo(2);
    }

    // --- the relay defers: the request is retried on the durable schedule and sent once ---

    /**
     * A relay that answers one step of the dialogue with a temporary error, what the deferred result must also say,
     * and what the relay must not have seen after that reply.
     */
    record Deferral(String behaviour, Command step, int code, String text, String idName, List<String> recipients,
            Consumer<JsonNode> deferredAlso, Consumer<ScriptedSmtpServer> busyRelayAlso) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Deferral> deferrals() {
        return Stream.of(
                new Deferral("greeting with 421 is deferred and the retry is sent once", Command.GREETING, 421,
                        "4.3.2 too busy, try later", "greeting-421", List.of("alice@example.org"),
                        deferred -> { },
                        busy -> assertThat(busy.commandLines()).noneMatch(line -> line.startsWith("MAIL"))),
                new Deferral("MAIL FROM deferred with 451 is retried and sent once", Command.MAIL, 451,
                        "4.3.0 local error, try later", "mail-451", List.of("alice@example.org", "bob@example.org"),
                        deferred -> { },
                        busy -> assertThat(busy.commandLines())
                                .noneMatch(line -> line.startsWith("RCPT") || line.equals("DATA"))),
                new Deferral("every recipient deferred at RCPT is retried and sent once", Command.RCPT, 450,
                        "4.2.1 mailbox busy", "rcpt-450", List.of("alice@example.org", "bob@example.org"),
                        deferred -> assertThat(deferred.get("recipients").findValuesAsText("code")).containsOnly("450"),
                        // No message goes out without an accepted recipient.
                        busy -> assertThat(busy.commandLines()).noneMatch(line -> line.equals("DATA"))),
                new Deferral("message deferred with 451 after the final dot is retried and sent once", Command.DATA_END,
                        451, "4.3.0 queue full, try later", "data-451", List.of("alice@example.org"),
                        deferred -> assertThat(deferred.at("/smtp/enhancedStatus").asText()).isEqualTo("4.3.0"),
                        busy -> assertThat(busy.messages()).isEmpty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deferrals")
    void temporaryErrorIsDeferredAndTheRetryIsSentOnce(Deferral deferral) {
        ScriptedSmtpServer busy = relayThat(b -> b.on(deferral.step(), reply(deferral.code(), deferral.text())));
        relay.routeTo(busy);
        String id = id(deferral.idName());
        String[] recipients = deferral.recipients().toArray(String[]::new);
        long offset = request(id, recipients);

        JsonNode deferred = awaitStatus(id, "DEFERRED");
        assertDeferred(deferred, "relay-unavailable", deferral.code(), recipients);
        deferral.deferredAlso().accept(deferred);
        relay.routeTo(healthyRelay());

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        Map<String, String> allSent = new LinkedHashMap<>();
        deferral.recipients().forEach(recipient -> allSent.put(recipient, "SENT"));
        assertSent(sent, allSent);
        assertProgressThenTerminal(id, sent);
        deferral.busyRelayAlso().accept(busy);
        assertMailedOnceEach(id, recipients);
    }

    // --- the relay refuses: per recipient, or the whole message ---

    @Test
    void oneOfThreeRecipientsRefusedWith550IsFailedWhileTheOtherTwoGetTheMailOnce() {
        // A mailbox no other scenario uses: its 5.1.1 puts it on the suppression list for every later request.
        relay.routeTo(relayThat(b -> b.onRecipient("nobody@example.org", reply(550, "5.1.1 no such user"))));
        String id = id("rcpt-550");
        long offset = request(id, "alice@example.org", "nobody@example.org", "carol@example.org");

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertSent(sent, Map.of("alice@example.org", "SENT", "nobody@example.org", "FAILED", "carol@example.org", "SENT"));
        JsonNode nobody = recipient(sent, "nobody@example.org");
        assertThat(nobody.get("code").asInt()).isEqualTo(550);
        assertThat(nobody.get("enhancedStatus").asText()).isEqualTo("5.1.1");
        assertThat(sent.get("attempt").asInt()).isEqualTo(1);
        // A refused recipient is final: no progress event, no retry.
        assertThat(results().allJson(id)).containsExactly(sent);
        assertMailedOnceEach(id, "alice@example.org", "carol@example.org");
    }

    @Test
    void recipientsBeyondTheRelaysLimitGo452InFurtherTransactionsEachRecipientOnce() {
        ScriptedSmtpServer limited = relayThat(b -> b.maxRecipientsPerTransaction(2));
        relay.routeTo(limited);
        String id = id("rcpt-452");
        String[] recipients = {"r1@example.org", "r2@example.org", "r3@example.org", "r4@example.org", "r5@example.org"};
        long offset = request(id, recipients);

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertSent(sent, Arrays.stream(recipients).collect(Collectors.toMap(r -> r, r -> "SENT")));
        assertThat(results().allJson(id)).containsExactly(sent);
        // Further transactions within the relay's limit, every one with the same Message-ID, each recipient once.
        assertThat(Mails.accepted(messageId(id), servers)).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(message -> assertThat(message.envelopeRecipients()).hasSizeLessThanOrEqualTo(2));
        assertMailedOnceEach(id, recipients);
    }

    @Test
    void messageRefusedWith554AfterTheFinalDotIsFailedAsAMessageProblemWithoutRetry() {
        ScriptedSmtpServer refusing = relayThat(b -> b.on(Command.DATA_END, reply(554, "5.7.1 message refused as spam")));
        relay.routeTo(refusing);
        String id = id("data-554");
        long offset = request(id, "alice@example.org", "bob@example.org");

        JsonNode failed = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        // The message was refused, not its recipients: each was accepted at RCPT.
        assertThat(failed.at("/reason/category").asText()).isEqualTo("message-rejected");
        assertThat(failed.at("/smtp/code").asInt()).isEqualTo(554);
        assertThat(failed.at("/smtp/enhancedStatus").asText()).isEqualTo("5.7.1");
        assertThat(statuses(failed)).isEqualTo(Map.of("alice@example.org", "FAILED", "bob@example.org", "FAILED"));
        assertThat(results().allJson(id)).containsExactly(failed);
        assertThat(refusing.commandLines()).filteredOn(line -> line.equals("DATA")).hasSize(1);
        assertThat(refusing.messages()).isEmpty();
    }

    // --- the connection fails: before, during and after the message ---

    @Test
    void relayDownForAWhileDefersAndEveryRequestIsSentOnceWhenItIsBack() {
        relay.down();
        String first = id("down-1");
        String second = id("down-2");
        request(first, "alice@example.org");
        long offset = request(second, "bob@example.org");

        for (String id : List.of(first, second)) {
            JsonNode deferred = awaitStatus(id, "DEFERRED");
            assertThat(deferred.get("terminal").asBoolean()).isFalse();
            assertThat(deferred.at("/reason/category").asText()).isEqualTo("relay-unavailable");
            // Nothing answered, so there is no reply to report.
            assertThat(deferred.has("smtp")).isFalse();
        }
        relay.routeTo(healthyRelay());
        relay.up();

        JsonNode firstSent = awaitTerminal(first);
        JsonNode secondSent = awaitTerminal(second);
        assertNothingLeftBehind(offset);
        assertSent(firstSent, Map.of("alice@example.org", "SENT"));
        assertSent(secondSent, Map.of("bob@example.org", "SENT"));
        assertProgressThenTerminal(first, firstSent);
        assertProgressThenTerminal(second, secondSent);
        assertMailedOnceEach(first, "alice@example.org");
        assertMailedOnceEach(second, "bob@example.org");
    }

    @Test
    void connectionDroppedInTheMiddleOfTheMessageIsRetriedAndTheMailArrivesOnce() {
        ScriptedSmtpServer cut = healthyRelay();
        // The message is far larger than the cut-off, so the connection dies while the message is on its way.
        relay.routeTo(cut, 64 * 1024);
        String id = id("drop-mid-data");
        long offset = requestWithText(id, largeText(600 * 1024), "alice@example.org");

        JsonNode deferred = awaitStatus(id, "DEFERRED");
        // The final "." was never sent: the relay cannot have taken the message, so this is no unknown outcome.
        assertDeferred(deferred, "relay-unavailable", null, "alice@example.org");
        relay.routeTo(healthyRelay());

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertSent(sent, Map.of("alice@example.org", "SENT"));
        assertProgressThenTerminal(id, sent);
        assertThat(cut.commandLines()).contains("DATA");
        assertThat(cut.messages()).isEmpty();
        assertMailedOnceEach(id, "alice@example.org");
    }

    @Test
    void silenceAfterTheFinalDotIsAnUnknownOutcomeAndTheMessageIsSentOnceMoreWithTheSameMessageId() {
        ScriptedSmtpServer silent = relayThat(b -> b.on(Command.DATA_END, silence()));
        relay.routeTo(silent);
        String id = id("silent-once");
        long offset = request(id, "alice@example.org");

        JsonNode deferred = awaitStatus(id, "DEFERRED");
        assertDeferred(deferred, "unknown-outcome", null, "alice@example.org");
        relay.routeTo(healthyRelay());

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertSent(sent, Map.of("alice@example.org", "SENT"));
        assertThat(assertProgressThenTerminal(id, sent)).hasSize(1);
        // The unconfirmed copy went out with the Message-ID the confirmed one carries.
        assertThat(silent.commandLines()).filteredOn(line -> line.equals("DATA")).hasSize(1);
        assertThat(silent.tlsText()).contains("Message-ID: " + messageId(id));
        assertMailedOnceEach(id, "alice@example.org");
    }

    @Test
    void relaySilentAfterTheFinalDotTwiceGetsNoThirdCopyAndTheResultSaysTheOutcomeIsUnknown() {
        ScriptedSmtpServer silent = relayThat(b -> b.on(Command.DATA_END, silence()));
        relay.routeTo(silent);
        String id = id("silent-twice");
        long offset = request(id, "alice@example.org");

        JsonNode failed = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.at("/reason/category").asText()).isEqualTo("unknown-outcome");
        assertThat(statuses(failed)).isEqualTo(Map.of("alice@example.org", "FAILED"));
        List<JsonNode> progress = assertProgressThenTerminal(id, failed);
        assertThat(progress).singleElement()
                .satisfies(deferred -> assertThat(deferred.at("/reason/category").asText()).isEqualTo("unknown-outcome"));
        // Sent once, resent once, never a third time.
        assertThat(silent.commandLines()).filteredOn(line -> line.equals("DATA")).hasSize(2);
        assertThat(silent.tlsText().split("Message-ID: " + messageId(id), -1)).hasSize(3);
    }

    @Test
    void relaySlowerThanTheReadTimeoutAfterTheFinalDotCostsAtMostOneExtraCopyWithTheSameMessageId() {
        // The relay queues the message but confirms only after the gateway stopped waiting.
        ScriptedSmtpServer slow = relayThat(b -> b.on(Command.DATA_END,
                delayedReply(READ_TIMEOUT.plusSeconds(1), 250, "2.0.0 Ok: queued late")));
        relay.routeTo(slow);
        String id = id("slow-after-dot");
        long offset = request(id, "alice@example.org");

        // While the relay holds its reply the request is in flight: no result, and its offset is not committed.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> !slow.messages().isEmpty());
        assertThat(results().allJson(id)).isEmpty();
        assertThat(committedOffset()).isLessThanOrEqualTo(offset);

        JsonNode deferred = awaitStatus(id, "DEFERRED");
        assertDeferred(deferred, "unknown-outcome", null, "alice@example.org");
        relay.routeTo(healthyRelay());

        JsonNode sent = awaitTerminal(id);
        assertNothingLeftBehind(offset);
        assertSent(sent, Map.of("alice@example.org", "SENT"));
        assertThat(assertProgressThenTerminal(id, sent)).hasSize(1);
        // The documented bound: one extra copy, recognisable by its Message-ID.
        assertThat(Mails.copiesPerRecipient(messageId(id), servers)).isEqualTo(Map.of("alice@example.org", 2));
    }

    // --- scenario building blocks ---

    private ScriptedSmtpServer relayThat(UnaryOperator<ScriptedSmtpServer.Builder> script) {
        ScriptedSmtpServer server = script.apply(ScriptedSmtpServer.builder().startTls(certificate).credentials(USER, PASSWORD))
                .start();
        servers.add(server);
        return server;
    }

    private ScriptedSmtpServer healthyRelay() {
        return relayThat(builder -> builder);
    }

    private static String id(String scenario) {
        return scenario + "-" + UUID.randomUUID();
    }

    private long request(String id, String... to) {
        return requestWithText(id, "t", to);
    }

    private long requestWithText(String id, String text, String... to) {
        requested.add(id);
        String recipients = Arrays.stream(to).map(address -> '"' + address + '"').collect(Collectors.joining(", "));
        return gateway.kafka().send(OUTBOUND, id, """
                {"id": "%s", "to": [%s], "subject": "delivery guarantees", "text": "%s"}"""
                .formatted(id, recipients, text));
    }

    /** Plain text of about this many bytes, in lines of 76 characters (JSON-escaped line breaks). */
    private static String largeText(int bytes) {
        String line = "0123456789".repeat(8).substring(0, 76) + "\\n";
        return line.repeat(bytes / 77 + 1);
    }

    private static String messageId(String id) {
        return MessageIds.forRequest(id, FROM);
    }

    private static KafkaTopics.Reader results() {
        return gateway.results();
    }

    private static JsonNode awaitStatus(String id, String status) {
        return results().awaitStatus(id, status);
    }

    private static JsonNode awaitTerminal(String id) {
        await().atMost(WAIT).until(() -> terminal(id) != null);
        return terminal(id);
    }

    private static JsonNode terminal(String id) {
        return results().allJson(id).stream().filter(result -> result.path("terminal").asBoolean()).findFirst().orElse(null);
    }

    private static long committedOffset() {
        return gateway.kafka().committedOffset(InJvmGateway.GROUP, OUTBOUND, 0);
    }

    /**
     * Nothing stuck, once the scenario's requests have their terminal results: the group's committed offset reaches
     * the end of the request topic (the last record sent is the scenario's), and no deferred request waits on the
     * retry topic.
     */
    private static void assertNothingLeftBehind(long lastOffset) {
        await().atMost(WAIT).until(() -> committedOffset() >= lastOffset + 1);
        assertThat(committedOffset()).isEqualTo(lastOffset + 1);
        await().atMost(WAIT).until(() -> retryBacklog() == 0);
    }

    /** The documented gauge mail_gateway_retry_backlog; -1 while the metric is not there. */
    private static long retryBacklog() throws IOException, InterruptedException {
        HttpResponse<String> metrics = ManagementPort.get(managementPort, "/observe/metrics");
        List<String> samples = metrics.body().lines()
                .filter(line -> line.startsWith("mail_gateway_retry_backlog")).toList();
        if (samples.isEmpty()) {
            return -1;
        }
        return samples.stream().mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** A progress event: not terminal, the reason and (when the relay answered) its reply, every recipient DEFERRED. */
    private static void assertDeferred(JsonNode deferred, String category, Integer code, String... recipients) {
        assertThat(deferred.get("status").asText()).isEqualTo("DEFERRED");
        assertThat(deferred.get("terminal").asBoolean()).isFalse();
        assertThat(deferred.at("/reason/category").asText()).isEqualTo(category);
        if (code == null) {
            assertThat(deferred.has("smtp")).as("no reply, so no smtp in %s", deferred).isFalse();
        } else {
            assertThat(deferred.at("/smtp/code").asInt()).isEqualTo(code);
        }
        assertThat(deferred.get("messageId").asText()).isEqualTo(messageId(deferred.get("id").asText()));
        Map<String, String> expected = new TreeMap<>();
        for (String recipient : recipients) {
            expected.put(recipient, "DEFERRED");
        }
        assertThat(statuses(deferred)).isEqualTo(expected);
    }

    private static void assertSent(JsonNode result, Map<String, String> recipientStatuses) {
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(result.has("replay")).isFalse();
        assertThat(result.has("reason")).as("no reason on SENT: %s", result).isFalse();
        assertThat(result.at("/smtp/code").asInt()).isEqualTo(250);
        assertThat(result.get("messageId").asText()).isEqualTo(messageId(result.get("id").asText()));
        assertThat(statuses(result)).isEqualTo(new TreeMap<>(recipientStatuses));
    }

    /**
     * The request's results in order: one DEFERRED progress event per failed attempt (attempt 1, 2, ...), then
     * exactly one terminal result, the last one, counting every attempt. Returns the progress events.
     */
    private static List<JsonNode> assertProgressThenTerminal(String id, JsonNode terminal) {
        List<JsonNode> all = results().allJson(id);
        assertThat(all).isNotEmpty();
        assertThat(all.get(all.size() - 1)).isEqualTo(terminal);
        List<JsonNode> progress = all.subList(0, all.size() - 1);
        for (int i = 0; i < progress.size(); i++) {
            JsonNode event = progress.get(i);
            assertThat(event.get("status").asText()).isEqualTo("DEFERRED");
            assertThat(event.get("terminal").asBoolean()).isFalse();
            assertThat(event.get("attempt").asInt()).isEqualTo(i + 1);
        }
        assertThat(progress).as("at least one attempt was deferred").isNotEmpty();
        assertThat(terminal.get("attempt").asInt()).isEqualTo(progress.size() + 1);
        return progress;
    }

    private void assertMailedOnceEach(String id, String... recipients) {
        Map<String, Integer> once = new TreeMap<>();
        for (String recipient : recipients) {
            once.put(recipient, 1);
        }
        assertThat(Mails.copiesPerRecipient(messageId(id), servers)).isEqualTo(once);
    }

    private static Map<String, String> statuses(JsonNode result) {
        Map<String, String> statuses = new TreeMap<>();
        result.path("recipients").forEach(r -> statuses.put(r.get("address").asText(), r.get("status").asText()));
        return statuses;
    }

    private static JsonNode recipient(JsonNode result, String address) {
        Map<String, JsonNode> byAddress = new LinkedHashMap<>();
        result.path("recipients").forEach(r -> byAddress.put(r.get("address").asText(), r));
        assertThat(byAddress).containsKey(address);
        return byAddress.get(address);
    }
}
