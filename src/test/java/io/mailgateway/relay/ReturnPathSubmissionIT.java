package io.mailgateway.relay;

import static io.mailgateway.support.ScriptedSmtpServer.Action.delayedReply;
import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.local.LocalCertificate;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.retry.RetryPlanner;
import io.mailgateway.retry.RetrySchedule;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.LongestTransaction;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.smtp.SubmissionOutcome;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;
import io.mailgateway.support.ScriptedSmtpServer.ReceivedMessage;
import io.mailgateway.tenant.Tenants;

/**
 * VERP against a real SMTP server (STARTTLS and AUTH required): each recipient's copy goes in a transaction of its
 * own on one connection, its envelope sender a return path that maps back to the request and the recipient, with
 * DSN parameters only for a relay that offers DSN; without VERP, one transaction for everyone as before.
 */
class ReturnPathSubmissionIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "relay-" + UUID.randomUUID();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String GATEWAY_BOUNCE_DOMAIN = "bounces.gateway.example";
    private static final String TENANT_BOUNCE_DOMAIN = "bounces.acme.example";
    private static final List<String> DEFAULT_EXTENSIONS = List.of("SIZE 10485760", "8BITMIME");

    @TempDir
    static Path work;

    static LocalCertificate certificate;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ReturnPaths returnPaths = ReturnPaths.of(
            "a key of at least thirty-two bytes for the tests".getBytes(StandardCharsets.US_ASCII),
            GATEWAY_BOUNCE_DOMAIN);
    private final RetryPlanner planner = new RetryPlanner(new ResultFactory(Clock.systemUTC()),
            RetrySchedule.parse("1m", "1h"), Clock.systemUTC());

    @BeforeAll
    static void certificate() {
        certificate = LocalCertificate.create(work.resolve("tls"));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @Test
    void eachRecipientGetsItsOwnTransactionWithAReturnPathNamingTheRequestAndTheRecipient() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("order-1042", "alice@example.org", "bob@example.net");

        SubmissionOutcome outcome = router(relay, Tenants.none()).submitFor(message, null, null, "order-1042");

        assertThat(outcome.recipients()).allSatisfy(recipient -> assertThat(recipient.accepted()).isTrue());
        assertThat(relay.messages()).hasSize(2);
        assertThat(relay.connections()).isEqualTo(1);
        assertThat(relay.messages().get(0).envelopeRecipients()).containsExactly("alice@example.org");
        assertThat(relay.messages().get(1).envelopeRecipients()).containsExactly("bob@example.net");
        for (ReceivedMessage received : relay.messages()) {
            String recipient = received.envelopeRecipients().get(0);
            assertThat(received.envelopeFrom()).startsWith("bounces+").endsWith("@" + GATEWAY_BOUNCE_DOMAIN);
            ReturnPaths.Token token = returnPaths.parse(received.envelopeFrom()).orElseThrow();
            assertThat(returnPaths.matches(token, "order-1042", recipient)).isTrue();
            assertThat(returnPaths.matches(token, "order-1043", recipient)).isFalse();
            // the From header is the sender's; only the envelope changes
            assertThat(received.rawAsString()).contains("From: shop@example.org").doesNotContain("bounces+");
        }
        String other = relay.messages().get(1).envelopeRecipients().get(0);
        ReturnPaths.Token first = returnPaths.parse(relay.messages().get(0).envelopeFrom()).orElseThrow();
        assertThat(returnPaths.matches(first, "order-1042", other)).isFalse();
        // one message, the same bytes for each copy
        assertThat(relay.messages().get(0).raw()).isEqualTo(relay.messages().get(1).raw());
    }

    @Test
    void aRelayWithoutDsnGetsNoDsnParameters() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder());

        router(relay, Tenants.none()).submitFor(message("order-1042", "alice@example.org"), null, null, "order-1042");

        assertThat(commands(relay, "MAIL FROM:")).singleElement().satisfies(mail ->
                assertThat(mail).doesNotContain("RET=", "ENVID="));
        assertThat(commands(relay, "RCPT TO:")).singleElement().satisfies(rcpt ->
                assertThat(rcpt).doesNotContain("NOTIFY=", "ORCPT="));
    }

    @Test
    void aRelayOfferingDsnGetsEnvelopeIdAndHeadersOnlyOnMailAndNotifyAndOriginalRecipientOnEachRcpt()
            throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder().extensions(dsn()));
        String requestId = "order+1042=shipped";

        router(relay, Tenants.none()).submitFor(message(requestId, "a+news@example.org", "bob@example.net"), null,
                null, requestId);

        assertThat(commands(relay, "MAIL FROM:")).hasSize(2).allSatisfy(mail ->
                assertThat(mail).matches("MAIL FROM:<bounces\\+[a-z2-7]{29}@" + GATEWAY_BOUNCE_DOMAIN.replace(".", "\\.")
                        + "> RET=HDRS ENVID=order\\+2B1042\\+3Dshipped"));
        assertThat(commands(relay, "RCPT TO:")).containsExactly(
                "RCPT TO:<a+news@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bnews@example.org",
                "RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.net");
        assertThat(relay.messages()).hasSize(2);
    }

    @Test
    void withoutVerpEveryRecipientGoesInOneTransactionWithTheUsualSenderAndNoDsnParameters() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder().extensions(dsn()));
        OutboundMessage message = message("order-1042", "alice@example.org", "bob@example.net");

        router(relay, Tenants.none(), ReturnPaths.off()).submitFor(message, null, null, "order-1042");

        assertThat(relay.messages()).singleElement().satisfies(received -> {
            assertThat(received.envelopeFrom()).isEqualTo("shop@example.org");
            assertThat(received.envelopeRecipients()).containsExactly("alice@example.org", "bob@example.net");
        });
        assertThat(commands(relay, "MAIL FROM:")).containsExactly("MAIL FROM:<shop@example.org>");
        assertThat(commands(relay, "RCPT TO:")).noneMatch(rcpt -> rcpt.contains("NOTIFY="));
    }

    @Test
    void aTenantWithItsOwnBounceDomainGetsReturnPathsUnderIt() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder());
        Tenants tenants = Tenants.load(Files.writeString(work.resolve("tenants.yaml"), """
                tenants:
                  acme:
                    bounceDomain: %s
                """.formatted(TENANT_BOUNCE_DOMAIN)));

        router(relay, tenants).submitFor(message("order-7", "alice@example.org"), "acme", null, "order-7");

        assertThat(relay.messages()).singleElement().satisfies(received -> {
            assertThat(received.envelopeFrom()).endsWith("@" + TENANT_BOUNCE_DOMAIN);
            assertThat(returnPaths.matches(returnPaths.parse(received.envelopeFrom()).orElseThrow(), "order-7",
                    "alice@example.org")).isTrue();
        });
    }

    @Test
    void aRefusedRecipientIsSettledAloneAndTheOtherStillGetsItsCopy() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder()
                .onRecipient("nobody@example.org", reply(550, "5.1.1 no such user")));
        OutboundMessage message = message("order-1042", "nobody@example.org", "alice@example.org");

        SubmissionOutcome outcome = router(relay, Tenants.none()).submitFor(message, null, null, "order-1042");

        DeliveryResult result = planner.afterSubmission(outcome, attempt(message)).result();
        assertThat(result.status()).isEqualTo(DeliveryResult.Status.SENT);
        assertThat(statuses(result)).isEqualTo(Map.of("alice@example.org", "SENT", "nobody@example.org", "FAILED"));
        assertThat(result.recipients()).filteredOn(r -> r.address().equals("nobody@example.org"))
                .singleElement().satisfies(nobody -> assertThat(nobody.code()).isEqualTo(550));
        assertThat(relay.messages()).singleElement().satisfies(received ->
                assertThat(received.envelopeRecipients()).containsExactly("alice@example.org"));
    }

    @Test
    void aRetryGoesOnlyToThePendingRecipientWithItsOwnReturnPath() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder()
                .onRecipient("bob@example.net", reply(451, "4.2.1 mailbox busy")));
        OutboundMessage message = message("order-1042", "alice@example.org", "bob@example.net");

        SubmissionOutcome outcome = router(relay, Tenants.none()).submitFor(message, null, null, "order-1042");

        var decision = planner.afterSubmission(outcome, attempt(message));
        assertThat(statuses(decision.result())).isEqualTo(Map.of("alice@example.org", "SENT",
                "bob@example.net", "DEFERRED"));
        assertThat(decision.retry().state().pending()).containsExactly("bob@example.net");
        assertThat(relay.messages()).singleElement().satisfies(received ->
                assertThat(received.envelopeRecipients()).containsExactly("alice@example.org"));
    }

    @Test
    void aRelayTooSlowForEveryCopyWithinTheSubmissionsBoundLeavesTheLastRecipientsForTheNextAttempt()
            throws Exception {
        Duration read = Duration.ofMillis(400);
        Duration slow = Duration.ofMillis(280);
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder()
                .on(Command.MAIL, delayedReply(slow, 250, "2.1.0 Ok"))
                .on(Command.RCPT, delayedReply(slow, 250, "2.1.5 Ok"))
                .on(Command.DATA_END, delayedReply(slow, 250, "2.0.0 queued")));
        String[] recipients = IntStream.rangeClosed(1, 12).mapToObj(i -> "r" + i + "@example.org")
                .toArray(String[]::new);
        SmtpSettings settings = new SmtpSettings(ScriptedSmtpServer.HOST, relay.port(), SmtpSecurity.STARTTLS, USER,
                PASSWORD, certificate.caPemFile(), Duration.ofMillis(100), read, Duration.ofSeconds(1),
                "gateway.example.org");
        long started = System.nanoTime();

        SubmissionOutcome outcome = router(settings, Tenants.none(), returnPaths)
                .submitFor(message("order-1042", recipients), null, null, "order-1042");

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isLessThan(LongestTransaction.of(settings, recipients.length));
        List<RecipientOutcome> deferred = outcome.recipients().stream().filter(r -> !r.accepted()).toList();
        assertThat(deferred).isNotEmpty().allSatisfy(r -> assertThat(r.reply().code()).isEqualTo(451));
        // the copies sent are the first recipients, the deferred ones the last
        assertThat(outcome.recipients().subList(0, recipients.length - deferred.size()))
                .allSatisfy(r -> assertThat(r.accepted()).isTrue());
        assertThat(relay.messages()).hasSize(recipients.length - deferred.size());
    }

    @Test
    void aMessageTheRelayRejectsBeforeAnyCopyWentOutFailsWithoutTryingTheOtherRecipients() throws Exception {
        ScriptedSmtpServer relay = relay(ScriptedSmtpServer.builder()
                .on(Command.DATA_END, reply(554, "5.7.1 message refused")));
        OutboundMessage message = message("order-1042", "alice@example.org", "bob@example.net");

        SmtpPermanentException failure = catchThrowableOfType(SmtpPermanentException.class,
                () -> router(relay, Tenants.none()).submitFor(message, null, null, "order-1042"));

        assertThat(failure.category()).isEqualTo("message-rejected");
        assertThat(failure.reply().code()).isEqualTo(554);
        assertThat(commands(relay, "MAIL FROM:")).hasSize(1);
        assertThat(relay.messages()).isEmpty();
    }

    private static String[] dsn() {
        List<String> extensions = new ArrayList<>(DEFAULT_EXTENSIONS);
        extensions.add("DSN");
        return extensions.toArray(String[]::new);
    }

    private static List<String> commands(ScriptedSmtpServer relay, String prefix) {
        return relay.commandLines().stream().filter(line -> line.startsWith(prefix)).toList();
    }

    private ScriptedSmtpServer relay(ScriptedSmtpServer.Builder builder) {
        ScriptedSmtpServer server = builder.startTls(certificate).credentials(USER, PASSWORD).start();
        opened.add(server);
        return server;
    }

    private RelayRouter router(ScriptedSmtpServer relay, Tenants tenants) {
        return router(relay, tenants, returnPaths);
    }

    private RelayRouter router(ScriptedSmtpServer relay, Tenants tenants, ReturnPaths paths) {
        return router(new SmtpSettings(ScriptedSmtpServer.HOST, relay.port(), SmtpSecurity.STARTTLS, USER,
                PASSWORD, certificate.caPemFile(), TIMEOUT, TIMEOUT, TIMEOUT, "gateway.example.org"), tenants, paths);
    }

    private RelayRouter router(SmtpSettings settings, Tenants tenants, ReturnPaths paths) {
        GatewayMailSender sender = new GatewayMailSender(settings, SmtpPoolSettings.DEFAULT, (outcome, took) -> { });
        opened.add(sender);
        Map<String, GatewayMailSender> senders = new LinkedHashMap<>();
        senders.put(Relay.DEFAULT, sender);
        Relays relays = Relays.only(new Relay(Relay.DEFAULT, settings, SmtpPoolSettings.DEFAULT));
        return new RelayRouter(senders, new RelaySelection(relays, tenants), (from, to) -> { }, paths, tenants);
    }

    private static OutboundMessage message(String id, String... to) {
        return new MimeComposer(1 << 20, Clock.systemUTC()).compose(request(id, to),
                new RenderedContent("Shipped", null, "Hello\r\n", "en"));
    }

    private static MailRequest request(String id, String... to) {
        return new MailRequest(id, null, "en", new MailAddress("shop@example.org", null), null,
                Arrays.stream(to).map(a -> new MailAddress(a, null)).toList(), List.of(), List.of(),
                null, null, null, Map.of(), List.of(), Map.of(), Map.of());
    }

    private static Attempt attempt(OutboundMessage message) throws Exception {
        Attempt attempt = new Attempt(null, "fallback",
                "{\"id\": \"order-1042\"}".getBytes(StandardCharsets.UTF_8),
                RetryState.first(new ResultFactory(Clock.systemUTC()).now()));
        attempt.setRequest(request("order-1042",
                Arrays.stream(message.getAllRecipients()).map(Object::toString).toArray(String[]::new)));
        return attempt;
    }

    private static Map<String, String> statuses(DeliveryResult result) {
        Map<String, String> statuses = new TreeMap<>();
        result.recipients().forEach(r -> statuses.put(r.address(), r.status().name()));
        return statuses;
    }
}
