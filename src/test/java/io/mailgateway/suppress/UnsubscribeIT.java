package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;

/**
 * One-click unsubscribe end to end: a tenant's bulk mail leaves the gateway (real Kafka, a relay requiring
 * STARTTLS and AUTH) with RFC 8058 headers whose URL points at the gateway's own HTTP server; a POST to that URL
 * suppresses the recipient for bulk mail (transactional mail still reaches them), and a forged or altered token
 * changes nothing. An accepted unsubscribe is published as an UNSUBSCRIBED delivery event of the request whose
 * mail carried the link. The unsubscribe applies to the tenant whose mail carried the link only, and a tenant whose
 * mail is bulk by default gets the same for requests that name no kind. The endpoint answers every error with a
 * short fixed text.
 */
class UnsubscribeIT {

    private static final String FROM = "shop@acme.example";
    // Of the sender domain every test gateway allows.
    private static final String GLOBEX_FROM = "news@acme.example";
    private static final String EVENTS = "mail.events";
    private static final String SECRET = "unsubscribe-secret-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static SuppressionList gatewayList;
    static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        httpPort = FreePorts.next();
        Path secretFile = Files.writeString(work.resolve("unsubscribe-secret"), SECRET + "\n");
        Path tenants = Files.writeString(work.resolve("bulk-tenants.yaml"), """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                    bulk:
                      kinds: [newsletter, digest]
                      unsubscribeUrl: "http://127.0.0.1:%d/unsubscribe?token={token}"
                  globex:
                    from: {address: news@acme.example, name: Globex}
                    bulk:
                      byDefault: true
                      transactionalKinds: [password-reset]
                      unsubscribeUrl: "http://127.0.0.1:%d/unsubscribe?token={token}"
                """.formatted(httpPort, httpPort));
        gateway = InJvmGateway.start(work, Map.of(
                "gateway.tenants-file", tenants.toString(),
                "camel.server.enabled", "true",
                "camel.server.host", "127.0.0.1",
                "camel.server.port", String.valueOf(httpPort),
                "gateway.unsubscribe.enabled", "true",
                "gateway.unsubscribe.secret-file", secretFile.toString()), EVENTS);
        gatewayList = gateway.bean("suppressionList", SuppressionList.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void bulkMailCarriesOneClickUnsubscribeAndPostingToItSuppressesBulkMailToTheRecipientOnly() throws Exception {
        String reader = unique("reader");
        String id = request(reader, "newsletter");
        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        var received = gateway.relay().awaitMessageId(messageId(id));
        MimeMessage mail = received.toMimeMessage();
        assertThat(received.rawAsString()).doesNotContain(SECRET);

        assertThat(mail.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        String listUnsubscribe = mail.getHeader("List-Unsubscribe", null);
        assertThat(listUnsubscribe).startsWith("<http://127.0.0.1:" + httpPort + "/unsubscribe?token=").endsWith(">");
        URI url = URI.create(listUnsubscribe.substring(1, listUnsubscribe.length() - 1));
        String token = url.getRawQuery().substring("token=".length());
        UnsubscribeTokens.Claims claims = new UnsubscribeTokens(SECRET).verify(token);
        assertThat(claims.tenant()).isEqualTo("acme");
        assertThat(claims.address()).isEqualTo(reader);
        assertThat(claims.issuedAt()).isBefore(Instant.now().plusSeconds(1));
        assertThat(claims.requestId()).isEqualTo(id);
        assertThat(gatewayList.isSuppressed(reader)).isFalse();

        try (var suppressions = gateway.kafka().read(InJvmGateway.SUPPRESSIONS);
                var events = gateway.kafka().read(EVENTS)) {
            HttpResponse<String> response = post(url);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode entry = suppressions.awaitJson(Suppression.unsubscribeKey("acme", reader));
            assertThat(entry.get("reason").asText()).isEqualTo("unsubscribe");
            assertThat(entry.get("tenant").asText()).isEqualTo("acme");
            JsonNode event = events.awaitJson(id);
            assertThat(event.get("event").asText()).isEqualTo("UNSUBSCRIBED");
            assertThat(event.get("recipient").asText()).isEqualTo(reader);
            assertThat(event.at("/source/kind").asText()).isEqualTo("unsubscribe");
            assertThat(event.at("/tags/tenant").asText()).isEqualTo("acme");
        }
        String next = request(reader, "digest");
        JsonNode result = gateway.results().awaitJson(next);
        assertThat(result.get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(result.at("/recipients/0/status").asText()).isEqualTo("SUPPRESSED");

        // Their order confirmations still arrive: they left the newsletter, not the shop.
        String order = request(reader, "order");
        assertThat(gateway.results().awaitJson(order).get("status").asText()).isEqualTo("SENT");
        assertThat(gateway.relay().awaitMessageId(messageId(order)).envelopeRecipients()).containsExactly(reader);
        // The digest was SUPPRESSED before the order was published, so only the first newsletter and the order came.
        assertThat(gateway.relay().server().received().stream()
                .filter(each -> each.envelopeRecipients().contains(reader)).count()).isEqualTo(2);
    }

    @Test
    void unsubscribeDoesNotLiftAComplaint() throws Exception {
        String complainer = unique("complainer");
        Suppression complaint = new Suppression(complainer, Suppression.COMPLAINT, "acme", Instant.now(), null);
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, complaint.key(), complaint.toJson(), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> gatewayList.isSuppressed(complainer, false));

        String token = new UnsubscribeTokens(SECRET).sign("acme", complainer, Instant.now());
        assertThat(post(unsubscribeUrl(token)).statusCode()).isEqualTo(200);

        // Had the unsubscribe replaced the complaint, this instance would already let transactional mail through.
        assertThat(gatewayList.isSuppressed(complainer, false)).isTrue();
        String order = request(complainer, "order");
        assertThat(gateway.results().awaitJson(order).get("status").asText()).isEqualTo("SUPPRESSED");
    }

    @Test
    void alteredOrForgedTokenIsRefusedAndSuppressesNobody() throws Exception {
        String reader = unique("reader");
        String victim = unique("victim");
        UnsubscribeTokens forger = new UnsubscribeTokens("a-different-secret-" + UUID.randomUUID());
        String genuine = new UnsubscribeTokens(SECRET).sign("acme", reader, Instant.now());
        // The genuine signature on a payload naming someone else.
        String altered = forger.sign("acme", victim, Instant.now()).split("\\.")[0] + "." + genuine.split("\\.")[1];

        assertThat(post(unsubscribeUrl(altered)).statusCode()).isEqualTo(403);
        assertThat(post(unsubscribeUrl(forger.sign("acme", victim, Instant.now()))).statusCode()).isEqualTo(403);
        assertThat(post(unsubscribeUrl("not-a-token")).statusCode()).isEqualTo(400);
        assertThat(post(URI.create("http://127.0.0.1:" + httpPort + "/unsubscribe")).statusCode()).isEqualTo(400);
        // A link checker following the URL must not unsubscribe anyone.
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(unsubscribeUrl(genuine)).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);

        assertThat(gatewayList.isSuppressed(victim)).isFalse();
        assertThat(gatewayList.isSuppressed(reader)).isFalse();
        String id = request(victim, "newsletter");
        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
    }

    @Test
    void bulkRequestMustNameExactlyOneRecipient() {
        String twoRecipients = "bulk-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, twoRecipients, """
                {"id": "%s", "to": ["%s", "%s"], "subject": "News", "text": "News",
                 "tags": {"tenant": "acme", "kind": "newsletter"}}""".formatted(twoRecipients, unique("a"), unique("b")));
        String withCc = "bulk-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, withCc, """
                {"id": "%s", "to": ["%s"], "cc": ["%s"], "subject": "News", "text": "News",
                 "tags": {"tenant": "acme", "kind": "newsletter"}}""".formatted(withCc, unique("a"), unique("b")));

        JsonNode rejected = gateway.results().awaitJson(twoRecipients);
        assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.at("/reason/category").asText()).isEqualTo("invalid-request");
        assertThat(rejected.at("/reason/detail").asText()).startsWith("to: ").contains("exactly one recipient");
        assertThat(gateway.results().awaitJson(withCc).at("/reason/detail").asText()).startsWith("cc: ");
    }

    @Test
    void mailThatIsNotBulkHasNoUnsubscribeHeaders() throws Exception {
        String id = request(unique("customer"), "order");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        MimeMessage mail = gateway.relay().awaitMessageId(messageId(id)).toMimeMessage();
        assertThat(mail.getHeader("List-Unsubscribe")).isNull();
        assertThat(mail.getHeader("List-Unsubscribe-Post")).isNull();
    }

    @Test
    void bulkByDefaultTenantsRequestWithoutKindGetsUnsubscribeHeadersAndIsSuppressedOnceUnsubscribed()
            throws Exception {
        String reader = unique("reader");
        String id = request("globex", reader, null);
        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        MimeMessage mail = gateway.relay().awaitMessageId(globexMessageId(id)).toMimeMessage();
        assertThat(mail.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        URI link = linkOf(mail);
        assertThat(new UnsubscribeTokens(SECRET).verify(link.getRawQuery().substring("token=".length())).tenant())
                .isEqualTo("globex");

        assertThat(post(link).statusCode()).isEqualTo(200);

        String next = request("globex", reader, null);
        assertThat(gateway.results().awaitJson(next).get("status").asText()).isEqualTo("SUPPRESSED");
        String someKind = request("globex", reader, "announcement");
        assertThat(gateway.results().awaitJson(someKind).get("status").asText()).isEqualTo("SUPPRESSED");
    }

    @Test
    void requestOfATransactionalKindOfABulkByDefaultTenantIsNotBulk() throws Exception {
        String reader = unique("reader");
        Suppression unsubscribed = new Suppression(reader, Suppression.UNSUBSCRIBE, "globex", Instant.now(), null);
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, unsubscribed.key(), unsubscribed.toJson(), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> gatewayList.bulkMailSuppressed("globex", reader));

        String reset = request("globex", reader, "password-reset");

        assertThat(gateway.results().awaitJson(reset).get("status").asText()).isEqualTo("SENT");
        MimeMessage mail = gateway.relay().awaitMessageId(globexMessageId(reset)).toMimeMessage();
        assertThat(mail.getHeader("List-Unsubscribe")).isNull();
        assertThat(mail.getHeader("List-Unsubscribe-Post")).isNull();
    }

    @Test
    void unsubscribeFromOneTenantsMailDoesNotSuppressAnotherTenantsBulkMail() throws Exception {
        String reader = unique("reader");
        String token = new UnsubscribeTokens(SECRET).sign("acme", reader, Instant.now());
        assertThat(post(unsubscribeUrl(token)).statusCode()).isEqualTo(200);
        assertThat(gatewayList.bulkMailSuppressed("acme", reader)).isTrue();

        String globexNews = request("globex", reader, null);
        assertThat(gateway.results().awaitJson(globexNews).get("status").asText()).isEqualTo("SENT");
        assertThat(gateway.relay().awaitMessageId(globexMessageId(globexNews)).envelopeRecipients())
                .containsExactly(reader);
        String acmeNews = request(reader, "newsletter");
        assertThat(gateway.results().awaitJson(acmeNews).get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(gatewayList.isSuppressed(reader)).isFalse();
    }

    @Test
    void secondClickOnTheSameLinkWritesNoSecondEntryNorEvent() throws Exception {
        String reader = unique("reader");
        String requestId = "clicked-" + UUID.randomUUID();
        URI link = unsubscribeUrl(new UnsubscribeTokens(SECRET).sign("acme", reader, Instant.now(), requestId));
        String key = Suppression.unsubscribeKey("acme", reader);

        try (var suppressions = gateway.kafka().read(InJvmGateway.SUPPRESSIONS);
                var events = gateway.kafka().read(EVENTS)) {
            assertThat(post(link).statusCode()).isEqualTo(200);
            assertThat(post(link).statusCode()).isEqualTo(200);
            // Each click is acknowledged only once its records are written: markers written after both, under
            // the same keys (so in the same partitions), arrive after anything the clicks wrote.
            Suppression marker = new Suppression(reader, Suppression.UNSUBSCRIBE, "acme", Instant.now(), null,
                    "marker");
            gateway.kafka().send(InJvmGateway.SUPPRESSIONS, key, marker.toJson(), Map.of());
            gateway.kafka().send(EVENTS, requestId, "{\"event\": \"MARKER\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> suppressions.allJson(key).size() >= 2
                    && events.allJson(requestId).size() >= 2);

            assertThat(suppressions.allJson(key)).extracting(json -> json.path("source").asText())
                    .containsExactly("unsubscribe link of request " + requestId, "marker");
            assertThat(events.allJson(requestId)).extracting(json -> json.path("event").asText())
                    .containsExactly("UNSUBSCRIBED", "MARKER");
        }
    }

    @Test
    void oneClickBodyIsAcceptedAsFormOrMultipartAndAnyOtherBodyIsRefused() throws Exception {
        String reader = unique("reader");
        URI link = unsubscribeUrl(new UnsubscribeTokens(SECRET).sign("acme", reader, Instant.now()));

        assertPlainError(post(link, "application/x-www-form-urlencoded", "List-Unsubscribe=Yes"), 400);
        assertPlainError(post(link, "application/x-www-form-urlencoded", ""), 400);
        assertPlainError(post(link, "text/plain", "List-Unsubscribe=One-Click"), 400);
        assertPlainError(post(link, "multipart/form-data; boundary=b", """
                --b\r
                Content-Disposition: form-data; name="List-Unsubscribe"\r
                \r
                Yes\r
                --b--\r
                """), 400);
        assertThat(gatewayList.bulkMailSuppressed("acme", reader)).isFalse();

        String boundary = "----provider" + UUID.randomUUID();
        HttpResponse<String> multipart = post(link, "multipart/form-data; boundary=" + boundary, """
                --%1$s\r
                Content-Disposition: form-data; name="List-Unsubscribe"\r
                \r
                One-Click\r
                --%1$s--\r
                """.formatted(boundary));
        assertThat(multipart.statusCode()).isEqualTo(200);
        assertThat(gatewayList.bulkMailSuppressed("acme", reader)).isTrue();
    }

    @Test
    void bodyOverTheLimitIsRefusedWith413AndUnsubscribesNobody() throws Exception {
        String reader = unique("reader");
        URI link = unsubscribeUrl(new UnsubscribeTokens(SECRET).sign("acme", reader, Instant.now()));

        assertPlainError(post(link, "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click&padding=" + "x".repeat(8 * 1024)), 413);
        assertThat(gatewayList.bulkMailSuppressed("acme", reader)).isFalse();
    }

    @Test
    void errorsAreAnsweredWithAShortFixedTextAndNoStackTrace() throws Exception {
        URI base = URI.create("http://127.0.0.1:" + httpPort);
        assertPlainError(send(base.resolve("/no-such-page"), "GET"), 404);
        assertPlainError(send(base.resolve("/unsubscribe?token=x"), "GET"), 405);
        assertPlainError(send(base.resolve("/unsubscribe?token=x"), "PUT"), 405);
        assertPlainError(post(base.resolve("/unsubscribe?token=a&token=b"), "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click"), 400);
        // A multipart body the server cannot even take apart fails inside Vert.x, before any route.
        HttpResponse<String> undecodable = post(base.resolve("/unsubscribe"), "multipart/form-data; boundary=\"",
                "--\"\r\n\r\n");
        assertPlainError(undecodable, 500);
        assertThat(undecodable.body()).isEqualTo("Internal error\n");
        assertPlainError(post(base.resolve("/unsubscribe"), "application/x-www-form-urlencoded",
                "x".repeat(64 * 1024)), 413);
    }

    // --- helpers ---

    private static HttpResponse<String> post(URI url) throws Exception {
        return post(url, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click");
    }

    private static HttpResponse<String> post(URI url, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(URI url, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // A fixed short line: no exception, no stack trace, no HTML page of a framework.
    private static void assertPlainError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain"));
        assertThat(response.body()).hasSizeLessThan(100).doesNotContain("Exception", "at io.", "at org.",
                "at java.", "<html", "Caused by");
    }

    private static String request(String tenant, String to, String kind) {
        String id = "bulk-" + UUID.randomUUID();
        String tags = kind == null ? "{\"tenant\": \"%s\"}".formatted(tenant)
                : "{\"tenant\": \"%s\", \"kind\": \"%s\"}".formatted(tenant, kind);
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "News", "text": "News", "tags": %s}"""
                .formatted(id, to, tags).getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }

    private static URI linkOf(MimeMessage mail) throws Exception {
        String listUnsubscribe = mail.getHeader("List-Unsubscribe", null);
        assertThat(listUnsubscribe).isNotNull();
        return URI.create(listUnsubscribe.substring(1, listUnsubscribe.length() - 1));
    }

    private static URI unsubscribeUrl(String token) {
        return URI.create("http://127.0.0.1:" + httpPort + "/unsubscribe?token=" + token);
    }

    private static String request(String to, String kind) {
        String id = "bulk-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "News", "text": "News",
                 "tags": {"tenant": "acme", "kind": "%s"}}""".formatted(id, to, kind)
                .getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    private static String messageId(String id) {
        return MessageIds.forRequest(id, FROM);
    }

    private static String globexMessageId(String id) {
        return MessageIds.forRequest(id, GLOBEX_FROM);
    }
}
