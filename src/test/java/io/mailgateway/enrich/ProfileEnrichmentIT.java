package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import java.io.StringWriter;

import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.suppress.Suppression;
import io.mailgateway.suppress.SuppressionList;

/**
 * Profile enrichment against a real profile service over HTTP, a real Kafka broker and a STARTTLS+AUTH relay: the
 * recipient's profile shows in the mail, is looked up once, and a slow, failing or absent service never holds a mail
 * longer than the lookup timeout, whatever the failure policy.
 */
class ProfileEnrichmentIT {

    private static final int TIMEOUT_MS = 1000;
    /** How long a result may take when the profile service does not answer: the timeout plus handling. */
    private static final Duration BOUND = Duration.ofMillis(TIMEOUT_MS * 8L);
    private static final String TOKEN = "Bearer profile-token-" + UUID.randomUUID();
    private static final String FROM = "noreply@acme.example";
    private static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    private static final JsonSchema RESULT_SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")))
            .getSchema(SchemaLocation.of(SCHEMA_BASE + "delivery-result-v1.schema.json"));

    @TempDir
    static Path work;

    static ProfileServer profiles;
    static InJvmGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        profiles = ProfileServer.start();
        gateway = startGateway(work.resolve("continue"), profiles, "continue", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        profiles.close();
    }

    static InJvmGateway startGateway(Path dir, ProfileServer server, String onFailure, Map<String, String> more)
            throws IOException {
        Files.createDirectories(dir);
        Path templates = dir.resolve("templates");
        Path greeting = Files.createDirectories(templates.resolve("greeting/default"));
        Files.writeString(greeting.resolve("subject.mustache"),
                "Your order{{#profile}}, {{profile.firstName}}{{/profile}}");
        Files.writeString(greeting.resolve("text.mustache"), """
                {{#profile}}Dear {{profile.firstName}} {{profile.lastName}},{{/profile}}{{^profile}}Dear customer,{{/profile}}
                order {{orderNo}} ships today.
                """);
        Path token = Files.writeString(dir.resolve("profile-authorization"), TOKEN + "\n");
        Map<String, String> settings = new HashMap<>(Map.of(
                "gateway.templates-dir", templates.toString(),
                "gateway.profile.url", server.urlTemplate(),
                "gateway.profile.timeout-ms", String.valueOf(TIMEOUT_MS),
                "gateway.profile.on-failure", onFailure,
                "gateway.profile.auth-header-file", token.toString()));
        settings.putAll(more);
        return InJvmGateway.start(dir, settings);
    }

    @Test
    void theRecipientsProfileAppearsInTheRenderedMail() throws Exception {
        profiles.profile("ada@example.org", """
                {"firstName": "Ada", "lastName": "Lovelace", "tier": {"name": "gold"}}""");

        String id = send(gateway, "ada@example.org");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        MimeMessage mail = mail(gateway, id).toMimeMessage();
        assertThat(mail.getSubject()).isEqualTo("Your order, Ada");
        assertThat(text(mail)).startsWith("Dear Ada Lovelace,");
    }

    @Test
    void aSecondMailToTheSameRecipientTakesTheProfileFromTheCache() throws Exception {
        profiles.profile("grace@example.org", """
                {"firstName": "Grace", "lastName": "Hopper"}""");

        String first = send(gateway, "grace@example.org");
        assertThat(gateway.results().awaitJson(first).get("status").asText()).isEqualTo("SENT");
        String second = send(gateway, "grace@example.org");
        assertThat(gateway.results().awaitJson(second).get("status").asText()).isEqualTo("SENT");

        assertThat(text(mail(gateway, second).toMimeMessage())).startsWith("Dear Grace Hopper,");
        assertThat(profiles.requestsFor("grace@example.org")).isEqualTo(1);
        assertThat(gateway.httpBody("/observe/metrics")).containsPattern(
                "mail_gateway_profile_lookups_total\\{[^}]*outcome=\"cached\"[^}]*} [1-9]");
    }

    @Test
    void aRecipientTheServiceDoesNotKnowGetsTheMailWithoutProfileAndIsNotAskedAgain() throws Exception {
        String first = send(gateway, "unknown@example.org");
        assertThat(gateway.results().awaitJson(first).get("status").asText()).isEqualTo("SENT");
        // Sent once the first answer is known: two requests handled at the same moment may both ask.
        String second = send(gateway, "unknown@example.org");
        assertThat(gateway.results().awaitJson(second).get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, first).toMimeMessage())).startsWith("Dear customer,");
        assertThat(profiles.requestsFor("unknown@example.org")).isEqualTo(1);
    }

    @Test
    void theAddressIsOneEncodedPathSegmentAndNoRecordOrCamelHeaderReachesTheService() throws Exception {
        // characters a valid address may hold that mean something in a URL or to Camel's property placeholders
        String address = "ada+news/x?q=1&r#f%41{{x}}@example.org";
        profiles.profile(address, """
                {"firstName": "Encoded", "lastName": "Path"}""");
        Map<String, String> recordHeaders = new LinkedHashMap<>();
        recordHeaders.put("Authorization", "Basic hijacked");
        recordHeaders.put("X-Forwarded-Host", "evil.example");
        recordHeaders.put("CamelHttpUri", "http://evil.example/");
        recordHeaders.put("CamelHttpPath", "/evil");
        recordHeaders.put("CamelHttpMethod", "DELETE");
        recordHeaders.put("Cookie", "session=hijacked");

        String id = send(gateway, address, recordHeaders);

        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        ReceivedMail mail = mail(gateway, id);
        assertThat(text(mail.toMimeMessage())).startsWith("Dear Encoded Path,");
        // the profile service's own response headers stay out of the mail too
        assertThat(mail.envelopeRecipients()).containsExactly(address);
        assertThat(mail.rawAsString()).doesNotContain("mallory", "evil.example");

        List<ProfileServer.Received> lookups = profiles.received().stream()
                .filter(r -> address.equals(r.address())).toList();
        assertThat(lookups).hasSize(1);
        ProfileServer.Received lookup = lookups.get(0);
        assertThat(lookup.method()).isEqualTo("GET");
        assertThat(lookup.rawPath()).isEqualTo(
                "/v1/people/ada%2Bnews%2Fx%3Fq%3D1%26r%23f%2541%7B%7Bx%7D%7D%40example.org");
        // what the HTTP client sends by itself, and nothing of the record or the exchange
        assertThat(lookup.headers().keySet()).isSubsetOf("host", "user-agent", "accept", "authorization",
                "connection");
        assertThat(lookup.headers().get("authorization")).containsExactly(TOKEN);
        assertThat(lookup.headers().get("accept")).containsExactly("application/json");
        assertThat(lookup.headers().get("user-agent")).containsExactly("mail-gateway");
    }

    @Test
    void theAuthorizationTokenIsNeverLoggedEvenAtDebugLevel() throws Exception {
        profiles.profile("logged@example.org", """
                {"firstName": "Logged", "lastName": "Not"}""");
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        StringWriter log = new StringWriter();
        WriterAppender capture = WriterAppender.newBuilder().setName("profile-it-capture").setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n").build()).build();
        capture.start();
        configuration.addAppender(capture);
        configuration.getRootLogger().addAppender(capture, null, null);
        Level before = configuration.getRootLogger().getLevel();
        Configurator.setRootLevel(Level.DEBUG);
        try {
            String id = send(gateway, "logged@example.org");
            assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        } finally {
            Configurator.setRootLevel(before);
            configuration.getRootLogger().removeAppender(capture.getName());
            context.updateLoggers();
            capture.stop();
        }

        // the lookup was logged at DEBUG, its Authorization header was not
        assertThat(log.toString()).contains("org.apache.camel.component.http.HttpProducer")
                .doesNotContain(TOKEN.substring("Bearer ".length()));
    }

    @Test
    void aServiceSlowerThanTheTimeoutWithPolicyContinueGetsTheMailSentWithoutProfileWithinTheTimeout()
            throws Exception {
        profiles.silentFor("slow@example.org");

        long start = System.nanoTime();
        String id = send(gateway, "slow@example.org");

        JsonNode result = awaitResult(gateway, id, BOUND);
        System.out.printf("profile lookup timeout %d ms: SENT without profile after %d ms%n", TIMEOUT_MS,
                (System.nanoTime() - start) / 1_000_000);
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, id).toMimeMessage())).startsWith("Dear customer,");
    }

    @Test
    void aProfileLargerThanTheLimitIsAFailedLookup() throws Exception {
        String huge = "{\"firstName\": \"" + "x".repeat(100_000) + "\"}";
        profiles.profile("huge@example.org", huge);
        profiles.chunkedProfile("chunked@example.org", huge);

        String id = send(gateway, "huge@example.org");
        String chunked = send(gateway, "chunked@example.org");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(gateway.results().awaitJson(chunked).get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, id).toMimeMessage())).startsWith("Dear customer,");
        assertThat(text(mail(gateway, chunked).toMimeMessage())).startsWith("Dear customer,");
    }

    @Test
    void profileValuesAreDataNeverTemplateCode() throws Exception {
        profiles.profile("mallory@example.org", """
                {"firstName": "{{brand.name}}", "lastName": "{{> _partials/footer.text}}"}""");

        String id = send(gateway, "mallory@example.org");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, id).toMimeMessage()))
                .startsWith("Dear {{brand.name}} {{> _partials/footer.text}},");
    }

    @Test
    void aSuppressedRecipientIsNeverLookedUp() {
        profiles.profile("opted-out@example.org", """
                {"firstName": "Opted", "lastName": "Out"}""");
        Suppression entry = new Suppression("opted-out@example.org", "manual", null, Instant.now(), null);
        gateway.kafka().send(InJvmGateway.SUPPRESSIONS, entry.key(), entry.toJson(), Map.of());
        SuppressionList list = gateway.bean("suppressionList", SuppressionList.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> list.isSuppressed("opted-out@example.org"));

        String id = send(gateway, "opted-out@example.org");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(profiles.requestsFor("opted-out@example.org")).isZero();
    }

    @Test
    void theRequestsOwnProfileWinsAndNoLookupIsMade() throws Exception {
        profiles.profile("own@example.org", """
                {"firstName": "Looked-up"}""");

        String id = "profile-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "template": "greeting", "to": ["own@example.org"],
                 "data": {"orderNo": 7, "profile": {"firstName": "Given", "lastName": "Here"}}}""".formatted(id));

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, id).toMimeMessage())).startsWith("Dear Given Here,");
        assertThat(profiles.requestsFor("own@example.org")).isZero();
    }

    @Test
    void aMailToSeveralRecipientsIsNotPersonalisedWithOneOfTheirProfiles() throws Exception {
        profiles.profile("first@example.org", """
                {"firstName": "First"}""");
        profiles.profile("second@example.org", """
                {"firstName": "Second"}""");

        String id = "profile-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "template": "greeting", "to": ["first@example.org"], "bcc": ["second@example.org"],
                 "data": {"orderNo": 7}}""".formatted(id));

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(text(mail(gateway, id).toMimeMessage())).startsWith("Dear customer,");
        assertThat(profiles.requestsFor("first@example.org") + profiles.requestsFor("second@example.org")).isZero();
    }

    @Test
    void withPolicyDeferASlowServiceDefersTheMailWithinTheTimeoutAndALaterAttemptSendsItWithTheProfile()
            throws Exception {
        // an https service with a certificate from a private CA, trusted through GATEWAY_PROFILE_TRUST_CA_FILE
        LocalCertificate certificate = LocalCertificate.create(work.resolve("profile-tls"));
        try (ProfileServer server = ProfileServer.startTls(certificate.serverSslContext());
                InJvmGateway deferring = startGateway(work.resolve("defer"), server, "defer",
                        Map.of("gateway.retry.max-age", "60s",
                                "gateway.profile.trust-ca-file", certificate.caPemFile().toString()))) {
            server.silentFor("later@example.org");

            long start = System.nanoTime();
            String id = send(deferring, "later@example.org");

            JsonNode deferred = awaitResult(deferring, id, BOUND);
            System.out.printf("profile lookup timeout %d ms: DEFERRED after %d ms%n", TIMEOUT_MS,
                    (System.nanoTime() - start) / 1_000_000);
            assertThat(deferred.get("status").asText()).isEqualTo("DEFERRED");
            assertThat(deferred.get("terminal").asBoolean()).isFalse();
            assertThat(deferred.at("/reason/category").asText()).isEqualTo("render-failed");
            assertThat(deferred.at("/reason/detail").asText())
                    .startsWith("profile lookup failed: timeout after " + TIMEOUT_MS + " ms; next attempt at ");
            assertThat(deferred.get("recipients").findValuesAsText("status")).containsExactly("DEFERRED");
            assertThat(RESULT_SCHEMA.validate(deferred)).isEmpty();
            assertThat(deferring.relay().server().received()).isEmpty();

            // the service answers again: the retry sends the mail, with the profile
            server.profile("later@example.org", """
                    {"firstName": "Later", "lastName": "Still"}""");
            JsonNode sent = deferring.results().awaitStatus(id, "SENT");
            assertThat(sent.get("terminal").asBoolean()).isTrue();
            assertThat(text(mail(deferring, id).toMimeMessage())).startsWith("Dear Later Still,");
        }
    }

    @Test
    void withPolicyFailASlowOrUnreachableServiceFailsTheMailWithTheReasonWithinTheTimeout() throws Exception {
        ProfileServer server = ProfileServer.start();
        try (InJvmGateway failing = startGateway(work.resolve("fail"), server, "fail", Map.of())) {
            server.silentFor("never@example.org");

            long start = System.nanoTime();
            String slow = send(failing, "never@example.org");

            JsonNode failed = awaitResult(failing, slow, BOUND);
            System.out.printf("profile lookup timeout %d ms: FAILED after %d ms%n", TIMEOUT_MS,
                    (System.nanoTime() - start) / 1_000_000);
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("terminal").asBoolean()).isTrue();
            assertThat(failed.at("/reason/category").asText()).isEqualTo("render-failed");
            assertThat(failed.at("/reason/detail").asText())
                    .isEqualTo("profile lookup failed: timeout after " + TIMEOUT_MS + " ms");
            assertThat(failed.get("recipients").findValuesAsText("status")).containsExactly("FAILED");
            assertThat(RESULT_SCHEMA.validate(failed)).isEmpty();

            // the service is gone: its port is closed
            server.close();
            String down = send(failing, "down@example.org");

            JsonNode unreachable = awaitResult(failing, down, BOUND);
            assertThat(unreachable.get("status").asText()).isEqualTo("FAILED");
            assertThat(unreachable.at("/reason/detail").asText())
                    .isEqualTo("profile lookup failed: cannot connect to the profile service");
            assertThat(failing.relay().server().received()).isEmpty();
            assertThat(unreachable.toString()).doesNotContain(TOKEN);
        } finally {
            server.close();
        }
    }

    private static String send(InJvmGateway target, String address) {
        return send(target, address, Map.of());
    }

    private static String send(InJvmGateway target, String address, Map<String, String> recordHeaders) {
        String id = "profile-" + UUID.randomUUID();
        String json = """
                {"id": "%s", "template": "greeting", "to": ["%s"], "data": {"orderNo": 7}}"""
                .formatted(id, address);
        target.kafka().send(InJvmGateway.OUTBOUND, id, json.getBytes(StandardCharsets.UTF_8), recordHeaders);
        return id;
    }

    /** The first result for this id, which must arrive within the bound. */
    private static JsonNode awaitResult(InJvmGateway target, String id, Duration bound) {
        AtomicReference<JsonNode> result = new AtomicReference<>();
        await().atMost(bound).until(() -> {
            List<JsonNode> all = target.results().allJson(id);
            if (all.isEmpty()) {
                return false;
            }
            result.set(all.get(0));
            return true;
        });
        return result.get();
    }

    private static ReceivedMail mail(InJvmGateway target, String id) {
        return target.relay().awaitMessageId(MessageIds.forRequest(id, FROM));
    }

    private static String text(MimeMessage message) throws Exception {
        return ((String) message.getContent()).replace("\r\n", "\n");
    }
}
