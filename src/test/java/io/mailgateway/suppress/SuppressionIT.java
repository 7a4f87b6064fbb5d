package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.SuppressCommand;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;

/**
 * The suppression list end to end: the gateway's routes in this JVM, a real Kafka broker holding the suppression
 * topic, and a relay that requires STARTTLS and AUTH. A suppressed recipient gets a SUPPRESSED status and no mail;
 * entries come and go through the topic, expire, and are added by the gateway itself when the relay says a mailbox
 * does not exist; every instance following the topic sees the same list. An unsubscribe suppresses only bulk mail
 * (of any tenant); other reasons suppress all mail.
 */
class SuppressionIT {

    private static final String FROM = "noreply@acme.example";
    private static final String ACME_FROM = "shop@acme.example";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static SuppressionList gatewayList;

    @BeforeAll
    static void start() throws Exception {
        Path secretFile = Files.writeString(work.resolve("unsubscribe-secret"), "unsubscribe-secret-" + UUID.randomUUID());
        Path tenants = Files.writeString(work.resolve("bulk-tenants.yaml"), """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                    bulk:
                      kinds: [newsletter]
                      unsubscribeUrl: "https://mail.acme.example/unsubscribe?token={token}"
                  globex:
                    bulk:
                      kinds: [digest]
                      unsubscribeUrl: "https://mail.globex.example/unsubscribe?token={token}"
                """);
        gateway = InJvmGateway.start(work, Map.of(
                "gateway.tenants-file", tenants.toString(),
                "gateway.unsubscribe.secret-file", secretFile.toString(),
                "gateway.suppression.ttl", "30d",
                // Long enough for a test to suppress a deferred recipient before its retry.
                "gateway.retry.schedule", "2s",
                "gateway.retry.max-age", "1m"));
        gatewayList = gateway.bean("suppressionList", SuppressionList.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void suppressedAddressGetsSuppressedAndTheRelayGetsNothing() {
        String blocked = unique("blocked");
        suppress(blocked, "hard-bounce", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(blocked));
        long acceptedBefore = gateway.relay().server().acceptedCount();

        String id = request(blocked);

        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(result.at("/reason/category").asText()).isEqualTo("suppressed");
        assertThat(result.has("messageId")).isFalse();
        assertThat(result.at("/recipients/0/address").asText()).isEqualTo(blocked);
        assertThat(result.at("/recipients/0/status").asText()).isEqualTo("SUPPRESSED");
        // A later request is sent, so the relay would have had the suppressed one by then.
        String later = request(unique("later"));
        assertThat(gateway.results().awaitJson(later).get("status").asText()).isEqualTo("SENT");
        gateway.relay().awaitMessageId(messageId(later));
        assertThat(gateway.relay().server().acceptedCount()).isEqualTo(acceptedBefore + 1);
        assertThat(envelopesTo(blocked)).isEmpty();
    }

    @Test
    void unsubscribeKeyedByAddressSuppressesBulkMailOfEveryTenantButTransactionalMailIsStillSent() throws Exception {
        String reader = unique("reader");
        suppressForEveryTenant(reader, "unsubscribe", "acme");
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(reader));

        String newsletter = tenantRequest("acme", "newsletter", reader);
        String otherTenantsDigest = tenantRequest("globex", "digest", reader);

        for (String bulk : List.of(newsletter, otherTenantsDigest)) {
            JsonNode result = gateway.results().awaitJson(bulk);
            assertThat(result.get("status").asText()).as(bulk).isEqualTo("SUPPRESSED");
            assertThat(result.at("/reason/category").asText()).isEqualTo("suppressed");
            assertThat(result.at("/recipients/0/status").asText()).isEqualTo("SUPPRESSED");
        }
        // Both bulk requests are terminal before the transactional one is even published: no mail can follow them.
        String passwordReset = tenantRequest("acme", "password-reset", reader);

        JsonNode sent = gateway.results().awaitJson(passwordReset);
        assertThat(sent.get("status").asText()).isEqualTo("SENT");
        assertThat(sent.at("/recipients/0/status").asText()).isEqualTo("SENT");
        ReceivedMail mail = gateway.relay().awaitMessageId(MessageIds.forRequest(passwordReset, ACME_FROM));
        assertThat(mail.envelopeRecipients()).containsExactly(reader);
        assertThat(mail.toMimeMessage().getHeader("List-Unsubscribe")).isNull();
        assertThat(envelopesTo(reader)).hasSize(1);
    }

    @Test
    void manualEntrySuppressesBulkAndTransactionalMail() {
        String blocked = unique("manual");
        suppress(blocked, "manual", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(blocked, false));

        String newsletter = tenantRequest("acme", "newsletter", blocked);
        String order = tenantRequest("acme", "order", blocked);

        assertThat(gateway.results().awaitJson(newsletter).get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(gateway.results().awaitJson(order).get("status").asText()).isEqualTo("SUPPRESSED");
        // A later request is sent, so the relay would have had either of them by then.
        String later = request(unique("later"));
        gateway.relay().awaitMessageId(messageId(later));
        assertThat(envelopesTo(blocked)).isEmpty();
    }

    @Test
    void hardBounceOfTransactionalMailReplacesAnUnsubscribe() {
        String gone = unique("gone");
        suppressForEveryTenant(gone, "unsubscribe", "acme");
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(gone));
        gateway.relay().server().rejectRecipient(gone, 550, "5.1.1 user unknown");
        try (var suppressions = gateway.kafka().read(InJvmGateway.SUPPRESSIONS)) {
            String order = tenantRequest("acme", "order", gone);

            assertThat(gateway.results().awaitJson(order).get("status").asText()).isEqualTo("FAILED");
            await().atMost(WAIT).until(() -> suppressions.allJson(gone).stream()
                    .map(entry -> entry.get("reason").asText()).toList(), reasons -> reasons.contains("hard-bounce"));
        }
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(gone, false));
        assertThat(gateway.results().awaitJson(tenantRequest("acme", "order", gone)).get("status").asText())
                .isEqualTo("SUPPRESSED");
    }

    @Test
    void addressesAreComparedTrimmedAndInLowerCase() {
        String blocked = unique("Mixed.Case");
        suppress(blocked.toLowerCase(), "manual", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(blocked));

        String id = request(blocked.toUpperCase());

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SUPPRESSED");
    }

    @Test
    void mixedRequestIsSentToTheOthersOnly() throws Exception {
        String blocked = unique("blocked");
        String open = unique("open");
        suppress(blocked, "complaint", "acme", null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(blocked));

        String id = request(open, blocked);

        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.has("reason")).isFalse();
        assertThat(statuses(result)).containsExactlyInAnyOrderEntriesOf(Map.of(open, "SENT", blocked, "SUPPRESSED"));
        ReceivedMail mail = gateway.relay().awaitMessageId(messageId(id));
        assertThat(mail.envelopeRecipients()).containsExactly(open);
        // The headers still name everyone the request named; only the envelope leaves the suppressed one out.
        assertThat(mail.toMimeMessage().getHeader("To", ",")).contains(blocked);
    }

    @Test
    void tombstoneLiftsTheSuppression() {
        String address = unique("returning");
        suppress(address, "manual", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(address));
        assertThat(gateway.results().awaitJson(request(address)).get("status").asText()).isEqualTo("SUPPRESSED");

        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, address, null, Map.of());
        await().atMost(WAIT).until(() -> !gatewayList.isSuppressed(address));

        String id = request(address);
        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(gateway.relay().awaitMessageId(messageId(id)).envelopeRecipients()).containsExactly(address);
    }

    @Test
    void expiredEntriesNoLongerSuppress() {
        String expiredExplicitly = unique("expired");
        String outlivedItsTimeToLive = unique("old");
        String marker = unique("marker");
        suppress(expiredExplicitly, "complaint", null, Instant.now().minus(Duration.ofMinutes(1)));
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, outlivedItsTimeToLive, """
                {"address": "%s", "reason": "manual", "addedAt": "%s"}""".formatted(outlivedItsTimeToLive,
                Instant.now().minus(Duration.ofDays(31))));
        // The topic has one partition: once the marker is read, so are the entries before it.
        suppress(marker, "manual", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(marker));
        assertThat(gatewayList.isSuppressed(expiredExplicitly)).isFalse();
        assertThat(gatewayList.isSuppressed(outlivedItsTimeToLive)).isFalse();

        String id = request(expiredExplicitly, outlivedItsTimeToLive);

        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(statuses(result)).containsOnly(Map.entry(expiredExplicitly, "SENT"),
                Map.entry(outlivedItsTimeToLive, "SENT"));
    }

    @Test
    void invalidEntriesAreSkippedAndTheListGoesOn() {
        String malformed = unique("malformed");
        String marker = unique("marker");
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, malformed, "{not json");
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, malformed, """
                {"address": "%s", "reason": "because"}""".formatted(malformed));
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, "someone-else@example.org", """
                {"address": "%s", "reason": "manual"}""".formatted(malformed));
        suppress(marker, "manual", null, null);

        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(marker));
        assertThat(gatewayList.isSuppressed(malformed)).isFalse();
        assertThat(gatewayList.isSuppressed("someone-else@example.org")).isFalse();
    }

    @Test
    void unknownMailboxIsSuppressedAfterItsHardBounce() {
        String gone = unique("gone");
        gateway.relay().server().rejectRecipient(gone, 550, "5.1.1 user unknown");
        try (var suppressions = gateway.kafka().read(InJvmGateway.SUPPRESSIONS)) {
            String first = request(gone);

            JsonNode failed = gateway.results().awaitJson(first);
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.at("/recipients/0/enhancedStatus").asText()).isEqualTo("5.1.1");
            JsonNode entry = suppressions.awaitJson(gone);
            assertThat(entry.get("address").asText()).isEqualTo(gone);
            assertThat(entry.get("reason").asText()).isEqualTo("hard-bounce");
            assertThat(Instant.parse(entry.get("addedAt").asText())).isBefore(Instant.now().plusSeconds(1));

            String second = request(gone);

            JsonNode suppressed = gateway.results().awaitJson(second);
            assertThat(suppressed.get("status").asText()).isEqualTo("SUPPRESSED");
            assertThat(suppressed.at("/recipients/0/status").asText()).isEqualTo("SUPPRESSED");
        }
    }

    @Test
    void retryDoesNotSendToAnAddressSuppressedMeanwhile() {
        String open = unique("open");
        String busy = unique("busy");
        gateway.relay().server().rejectRecipient(busy, 451, "4.2.1 mailbox busy, try again later");
        String id = request(open, busy);
        JsonNode deferred = gateway.results().awaitStatus(id, "DEFERRED");
        assertThat(statuses(deferred)).containsEntry(busy, "DEFERRED");

        suppress(busy, "complaint", "acme", null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(busy));
        gateway.relay().server().clearFaults();

        JsonNode result = gateway.results().awaitStatus(id, "SENT");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(statuses(result)).containsOnly(Map.entry(open, "SENT"), Map.entry(busy, "SUPPRESSED"));
        assertThat(envelopesTo(busy)).isEmpty();
    }

    @Test
    void secondInstanceFollowingTheTopicSeesTheSameList() {
        String manual = unique("manual");
        suppress(manual, "manual", null, null);
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(manual));
        try (SuppressionList second = new SuppressionList(
                new KafkaClients(
                        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers())),
                InJvmGateway.SUPPRESSIONS, Duration.ofDays(30), Clock.systemUTC())) {
            second.setCamelContext(new DefaultCamelContext());
            second.start();
            // No waiting here: a lookup itself waits until the list is read up to where the topic stood at start-up.
            assertThat(second.isSuppressed(manual)).isTrue();
            assertThat(second.ready()).isTrue();

            // And an entry the gateway writes (here: by a hard bounce) reaches the other instance too.
            String gone = unique("gone");
            gateway.relay().server().rejectRecipient(gone, 550, "5.1.2 no such domain");
            assertThat(gateway.results().awaitJson(request(gone)).get("status").asText()).isEqualTo("FAILED");
            await().atMost(WAIT).until(() -> second.isSuppressed(gone));
            assertThat(second.size()).isEqualTo(gatewayList.size());
            MeterRegistry metrics = gateway.bean(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
            assertThat(metrics.get("mail.gateway.suppression.entries").gauge().value()).isEqualTo(gatewayList.size());
        }
    }

    @Test
    void commandLineAddsAndLiftsEntries() {
        String address = unique("Cli.User");
        String bootstrap = gateway.broker().bootstrapServers();

        SuppressCommand.add(bootstrap, InJvmGateway.SUPPRESSIONS,
                new Suppression(" " + address + " ", Suppression.COMPLAINT, null, Instant.now(), null));
        await().atMost(WAIT).until(() -> gatewayList.isSuppressed(address));
        assertThat(gateway.results().awaitJson(request(address)).get("status").asText()).isEqualTo("SUPPRESSED");

        SuppressCommand.remove(bootstrap, InJvmGateway.SUPPRESSIONS, address.toUpperCase());
        await().atMost(WAIT).until(() -> !gatewayList.isSuppressed(address));
        assertThat(gateway.results().awaitJson(request(address)).get("status").asText()).isEqualTo("SENT");
    }

    // --- helpers ---

    private static void suppress(String address, String reason, String tenant, Instant expiresAt) {
        Suppression entry = new Suppression(address, reason, tenant, Instant.now(), expiresAt);
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, entry.key(), entry.toJson(), Map.of());
    }

    // Keyed by the address alone, as entries were before unsubscribes were per tenant: it applies to all tenants.
    private static void suppressForEveryTenant(String address, String reason, String tenant) {
        Suppression entry = new Suppression(address, reason, tenant, Instant.now(), null);
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, Suppression.normalize(address), entry.toJson(), Map.of());
    }

    private static String request(String... to) {
        String id = "suppress-" + UUID.randomUUID();
        String recipients = String.join(", ", java.util.Arrays.stream(to).map(a -> "\"" + a + "\"").toList());
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": [%s], "subject": "Hello", "text": "Hello there"}""".formatted(id, recipients)
                .getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }

    private static String tenantRequest(String tenant, String kind, String to) {
        String id = "suppress-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "Hello", "text": "Hello there",
                 "tags": {"tenant": "%s", "kind": "%s"}}""".formatted(id, to, tenant, kind)
                .getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    private static String messageId(String id) {
        return MessageIds.forRequest(id, FROM);
    }

    private static Map<String, String> statuses(JsonNode result) {
        Map<String, String> statuses = new java.util.LinkedHashMap<>();
        result.get("recipients").forEach(r -> statuses.put(r.get("address").asText(), r.get("status").asText()));
        return statuses;
    }

    private static List<List<String>> envelopesTo(String address) {
        return gateway.relay().server().received().stream().map(ReceivedMail::envelopeRecipients)
                .filter(envelope -> envelope.stream().anyMatch(address::equalsIgnoreCase)).toList();
    }
}
