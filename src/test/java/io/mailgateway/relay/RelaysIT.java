package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.delivery.RelaySwitch;
import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.TestRelay;

/**
 * Several relays end to end: the gateway's routes in this JVM, a real Kafka broker, and relays that each require
 * STARTTLS and AUTH with their own password and CA. A tenant's mail goes through its relays, recipient domains
 * route to theirs (a mixed message is split, with one result), an unreachable relay fails over to the next one,
 * every relay down defers the request until one is back, a 5xx is never failed over, and a tenant's send-rate limit
 * holds at the relay.
 */
class RelaysIT {

    private static final int RATE = 5;
    private static final int TRICKLE_SECONDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static int managementPort;
    static TestRelay euPrimary;
    static TestRelay euBackup;
    static TestRelay us;
    static TestRelay rejecting;
    static TestRelay paced;
    static TestRelay guarded;
    static RelaySwitch flaky;
    static ScriptedSmtpServer flakyServer;
    static LocalCertificate flakyCertificate;
    static final String FLAKY_PASSWORD = "flaky-" + UUID.randomUUID();

    @BeforeAll
    static void start() throws IOException {
        euPrimary = new TestRelay(work.resolve("eu-primary"), false);
        euBackup = new TestRelay(work.resolve("eu-backup"), false);
        us = new TestRelay(work.resolve("us"), false);
        rejecting = new TestRelay(work.resolve("rejecting"), false);
        rejecting.server().rejectMessages(554, "5.7.1 message refused by policy");
        paced = new TestRelay(work.resolve("paced"), false);
        guarded = new TestRelay(work.resolve("guarded"), false);
        flakyCertificate = LocalCertificate.create(work.resolve("flaky-tls"));
        flaky = RelaySwitch.start();
        flaky.down();
        int closedPort = FreePorts.next();

        Path relays = Files.writeString(work.resolve("relays.yaml"), """
                relays:
                %s
                %s
                %s
                %s
                %s
                %s
                  dead:
                    host: 127.0.0.1
                    port: %d
                    connectTimeoutMs: 2000
                  flaky:
                    host: 127.0.0.1
                    port: %d
                    username: gateway
                    passwordFile: %s
                    trustCaFile: %s
                routes:
                  - domains: [eu.example, "*.eu.example"]
                    relays: [eu-primary, eu-backup]
                  - domains: ["*.us.example"]
                    relays: [us]
                """.formatted(relay("eu-primary", euPrimary), relay("eu-backup", euBackup), relay("us", us),
                relay("rejecting", rejecting), relay("paced", paced), relay("guarded", guarded), closedPort, flaky.port(),
                Files.writeString(work.resolve("flaky-password"), FLAKY_PASSWORD), flakyCertificate.caPemFile()));
        Path tenants = Files.writeString(work.resolve("relay-tenants.yaml"), """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                  beta:
                    relays: [us]
                  failover:
                    relays: [dead, eu-backup]
                  stranded:
                    relays: [dead, flaky]
                  strict:
                    relays: [rejecting, eu-backup]
                  guarded:
                    relays: [guarded, eu-backup]
                  trickle:
                    relays: [us]
                    rateLimit: {messages: 1, per: %ds}
                  limited:
                    relays: [paced]
                    rateLimit: {messages: %d, per: 1s}
                """.formatted(TRICKLE_SECONDS, RATE));
        managementPort = FreePorts.next();
        gateway = InJvmGateway.start(work, Map.of(
                "gateway.relays-file", relays.toString(),
                "gateway.tenants-file", tenants.toString(),
                "gateway.retry.schedule", "500ms",
                "gateway.retry.max-age", "2m",
                "gateway.tenant-rate-wait-ms", "2000",
                "camel.management.port", String.valueOf(managementPort)));
    }

    private static String relay(String name, TestRelay relay) throws IOException {
        Path password = Files.writeString(work.resolve(name + "-password"), relay.password());
        return """
                  %s:
                    host: localhost
                    port: %d
                    username: %s
                    passwordFile: %s
                    trustCaFile: %s
                """.formatted(name, relay.port(), TestRelay.USERNAME, password, relay.caPemFile()).stripTrailing();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {euPrimary, euBackup, us, rejecting, paced, guarded, flaky,
                flakyServer}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void aTenantsMailGoesThroughItsRelay() {
        String id = request("beta", "alice@eu.example", "bob@elsewhere.example");

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");

        ReceivedMail mail = us.awaitMessageId(sent.get("messageId").asText());
        assertThat(mail.envelopeRecipients()).containsExactlyInAnyOrder("alice@eu.example", "bob@elsewhere.example");
        assertThat(received(euPrimary, sent)).isEmpty();
        assertThat(received(gateway.relay(), sent)).isEmpty();
    }

    @Test
    void recipientDomainsRouteToTheirRelaysAndAMixedMessageIsSplitWithOneResult() {
        String id = request(null, "alice@eu.example", "bob@shop.us.example", "carol@mail.eu.example", "dave@elsewhere.example");

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");

        String messageId = sent.get("messageId").asText();
        assertThat(euPrimary.awaitMessageId(messageId).envelopeRecipients())
                .containsExactlyInAnyOrder("alice@eu.example", "carol@mail.eu.example");
        assertThat(us.awaitMessageId(messageId).envelopeRecipients()).containsExactly("bob@shop.us.example");
        assertThat(gateway.relay().awaitMessageId(messageId).envelopeRecipients()).containsExactly("dave@elsewhere.example");
        assertThat(received(euBackup, sent)).isEmpty();
        assertThat(statuses(sent)).isEqualTo(Map.of("alice@eu.example", "SENT", "bob@shop.us.example", "SENT",
                "carol@mail.eu.example", "SENT", "dave@elsewhere.example", "SENT"));
        assertThat(sent.get("terminal").asBoolean()).isTrue();
        // one result for the request, however many relays took a part of it
        assertThat(gateway.results().allJson(id)).hasSize(1);
    }

    @Test
    void anUnreachableFirstRelayFailsOverToTheNextAndIsCounted() throws IOException {
        String id = request("failover", "alice@elsewhere.example");

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");

        assertThat(euBackup.awaitMessageId(sent.get("messageId").asText()).envelopeRecipients())
                .containsExactly("alice@elsewhere.example");
        assertThat(gateway.results().allJson(id)).hasSize(1);
        String metrics = ManagementPort.get(managementPort, "/observe/metrics").body();
        assertThat(metrics.lines().filter(line -> line.startsWith("mail_gateway_relay_failovers_total{"))
                .filter(line -> line.contains("from=\"dead\"") && line.contains("to=\"eu-backup\"")))
                .singleElement().satisfies(line ->
                        assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(1));
    }

    @Test
    void everyRelayOfTheListDownDefersTheRequestUntilOneIsBack() {
        String id = request("stranded", "alice@elsewhere.example");

        JsonNode deferred = gateway.results().awaitStatus(id, "DEFERRED");
        assertThat(deferred.get("terminal").asBoolean()).isFalse();
        assertThat(deferred.at("/reason/category").asText()).isEqualTo("relay-unavailable");
        assertThat(deferred.at("/reason/detail").asText()).contains("dead", "flaky");
        assertThat(statuses(deferred)).isEqualTo(Map.of("alice@elsewhere.example", "DEFERRED"));

        flakyServer = ScriptedSmtpServer.builder().startTls(flakyCertificate).credentials(TestRelay.USERNAME, FLAKY_PASSWORD)
                .start();
        flaky.up();
        flaky.routeTo(flakyServer);

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");
        assertThat(statuses(sent)).isEqualTo(Map.of("alice@elsewhere.example", "SENT"));
        assertThat(flakyServer.messages()).filteredOn(m -> sent.get("messageId").asText().equals(messageId(m.raw())))
                .singleElement().satisfies(m -> assertThat(m.envelopeRecipients()).containsExactly("alice@elsewhere.example"));
    }

    @Test
    void aRefusalAfterTheMessageWasSentIsNotFailedOver() {
        String id = request("strict", "alice@elsewhere.example");

        JsonNode failed = gateway.results().awaitStatus(id, "FAILED");

        assertThat(failed.at("/reason/category").asText()).isEqualTo("message-rejected");
        assertThat(failed.at("/smtp/code").asInt()).isEqualTo(554);
        assertThat(statuses(failed)).isEqualTo(Map.of("alice@elsewhere.example", "FAILED"));
        assertThat(received(euBackup, failed)).isEmpty();
    }

    @Test
    void aRelayThatRefusesTheGatewayStopsConsumptionUntilItAcceptsAgainAndIsNotFailedOver() throws IOException {
        await().atMost(WAIT).until(() -> ready() == 200);
        guarded.server().changeCredentials(TestRelay.USERNAME, "rotated-" + UUID.randomUUID());
        String id = request("guarded", "alice@elsewhere.example");

        await().atMost(WAIT).until(() -> ready() == 503);
        assertThat(ManagementPort.get(managementPort, "/observe/health").body()).contains("relay 'guarded'");
        assertThat(gateway.results().allJson(id)).isEmpty();

        guarded.server().changeCredentials(TestRelay.USERNAME, guarded.password());

        JsonNode sent = gateway.results().awaitStatus(id, "SENT");
        assertThat(guarded.awaitMessageId(sent.get("messageId").asText()).envelopeRecipients())
                .containsExactly("alice@elsewhere.example");
        assertThat(received(euBackup, sent)).isEmpty();
        await().atMost(WAIT).until(() -> ready() == 200);
    }

    @Test
    void aTenantsSendRateLimitHoldsAtTheRelay() {
        int count = 3 * RATE;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(request("limited", "reader" + i + "@elsewhere.example"));
        }

        ids.forEach(id -> assertThat(gateway.results().awaitStatus(id, "SENT").get("terminal").asBoolean()).isTrue());

        List<Instant> accepted = paced.server().acceptedAt();
        assertThat(accepted).hasSize(count);
        // Permits are spread evenly (one every 1 s / RATE), so any second starts at most RATE submissions plus one at
        // its edge; the relay sees them after a transaction of varying length, which may bunch two more closely.
        for (int i = 0; i < accepted.size(); i++) {
            Instant windowEnd = accepted.get(i).plusSeconds(1);
            long inWindow = accepted.stream().skip(i).filter(t -> t.isBefore(windowEnd)).count();
            assertThat(inWindow).as("messages accepted within 1 s of %s", accepted.get(i)).isLessThanOrEqualTo(RATE + 2);
        }
        Duration span = Duration.between(accepted.get(0), accepted.get(count - 1));
        // Without the limit the relay takes them all within a fraction of a second.
        assertThat(span).isGreaterThanOrEqualTo(Duration.ofMillis((count - 2) * 1000L / RATE - 200));
    }

    @Test
    void requestsOverTheirTenantsRateLimitAreDeferredThenSentWhenTheirTurnComes() {
        // One message per slot of TRICKLE_SECONDS; three at once need three slots, so the third waits longer than
        // the gateway may wait for a permit (2 s) and is deferred.
        List<String> ids = List.of(request("trickle", "first@elsewhere.example"),
                request("trickle", "second@elsewhere.example"), request("trickle", "third@elsewhere.example"));

        await().atMost(WAIT).until(() -> ids.stream().anyMatch(id -> gateway.results().allJson(id).stream()
                .anyMatch(json -> "DEFERRED".equals(json.path("status").asText()))));
        JsonNode deferred = ids.stream().flatMap(id -> gateway.results().allJson(id).stream())
                .filter(json -> "DEFERRED".equals(json.path("status").asText())).findFirst().orElseThrow();
        assertThat(deferred.get("terminal").asBoolean()).isFalse();
        assertThat(deferred.at("/reason/category").asText()).isEqualTo("relay-unavailable");
        assertThat(deferred.at("/reason/detail").asText()).contains("tenant 'trickle'", "send-rate limit");

        List<Instant> completed = ids.stream().map(id -> gateway.results().awaitStatus(id, "SENT"))
                .map(sent -> Instant.parse(sent.get("completedAt").asText())).sorted().toList();
        ids.forEach(id -> assertThat(us.awaitMessageId(gateway.results().awaitStatus(id, "SENT").get("messageId")
                .asText()).envelopeRecipients()).hasSize(1));
        assertThat(Duration.between(completed.get(0), completed.get(2)))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(TRICKLE_SECONDS).minusMillis(500));
    }

    private static int ready() {
        return ManagementPort.status(managementPort, "/observe/health/ready");
    }

    private static String request(String tenant, String... to) {
        String id = "relays-" + UUID.randomUUID();
        String recipients = Arrays.stream(to).map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));
        String tags = tenant == null ? "" : ", \"tags\": {\"tenant\": \"" + tenant + "\"}";
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": [%s], "subject": "Relays", "text": "Hello"%s}""".formatted(id, recipients, tags));
        return id;
    }

    private static Map<String, String> statuses(JsonNode result) {
        Map<String, String> statuses = new TreeMap<>();
        result.get("recipients").forEach(r -> statuses.put(r.get("address").asText(), r.get("status").asText()));
        return statuses;
    }

    private static List<ReceivedMail> received(TestRelay relay, JsonNode result) {
        String messageId = result.get("messageId").asText();
        return relay.server().received().stream().filter(m -> messageId.equals(messageId(m.raw()))).toList();
    }

    private static String messageId(byte[] raw) {
        try {
            return new MimeMessage((Session) null, new ByteArrayInputStream(raw)).getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

}
