package io.mailgateway.relay;

import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tenant.Tenants;
import io.mailgateway.local.LocalCertificate;
import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.retry.RetryPlanner;
import io.mailgateway.retry.RetrySchedule;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.smtp.SmtpSubmissionException;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SubmissionOutcome;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;

/**
 * One message split over two relays (STARTTLS and AUTH required) where the relays answer differently: the router
 * merges their answers into one outcome per recipient, and the result says what was sent, what failed for good and
 * what is retried; and only a relay that could not be reached before the message was sent is failed over. Recipients
 * of example.eu go to relay "eu", those of example.us to relay "us", those of example.both to "eu", then "us".
 */
class RelayRouterIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "relay-" + UUID.randomUUID();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path work;

    static LocalCertificate certificate;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<SmtpSubmissionException> refusals = new ArrayList<>();
    private final List<String> failovers = new ArrayList<>();
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
    void aMessageSplitOverTwoRelaysIsSentToEachWithItsOwnRecipientsAndTheSameMessageId() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder());
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("a@example.eu", "b@example.us", "c@example.eu");

        SubmissionOutcome outcome = router(eu.port(), us.port()).submitFor(message, null, null);

        assertThat(eu.messages()).singleElement().satisfies(m ->
                assertThat(m.envelopeRecipients()).containsExactly("a@example.eu", "c@example.eu"));
        assertThat(us.messages()).singleElement().satisfies(m ->
                assertThat(m.envelopeRecipients()).containsExactly("b@example.us"));
        assertThat(eu.messages().get(0).rawAsString()).contains(message.messageId());
        assertThat(us.messages().get(0).rawAsString()).contains(message.messageId());
        // two relays, one attempt
        assertThat(sent(message, outcome).attempt()).isEqualTo(1);
        assertThat(statuses(sent(message, outcome))).isEqualTo(Map.of("a@example.eu", "SENT", "b@example.us", "SENT",
                "c@example.eu", "SENT"));
    }

    @Test
    void aRelayThatRejectsTheMessageFailsOnlyItsRecipients() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder());
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder().on(Command.DATA_END, reply(554, "5.7.1 refused")));
        OutboundMessage message = message("a@example.eu", "b@example.us");

        SubmissionOutcome outcome = router(eu.port(), us.port()).submitFor(message, null, null);

        DeliveryResult result = sent(message, outcome);
        assertThat(result.status()).isEqualTo(DeliveryResult.Status.SENT);
        assertThat(statuses(result)).isEqualTo(Map.of("a@example.eu", "SENT", "b@example.us", "FAILED"));
        assertThat(recipient(result, "b@example.us").code()).isEqualTo(554);
    }

    @Test
    void aRelayThatDefersLeavesOnlyItsRecipientsPending() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder());
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder().on(Command.RCPT, reply(451, "4.3.0 try later")));
        OutboundMessage message = message("a@example.eu", "b@example.us");

        SubmissionOutcome outcome = router(eu.port(), us.port()).submitFor(message, null, null);

        var decision = planner.afterSubmission(outcome, attempt(message));
        assertThat(decision.result().status()).isEqualTo(DeliveryResult.Status.DEFERRED);
        assertThat(statuses(decision.result())).isEqualTo(Map.of("a@example.eu", "SENT", "b@example.us", "DEFERRED"));
        // the retry goes to the pending recipient only: the one eu accepted never gets the mail twice
        assertThat(decision.retry().state().pending()).containsExactly("b@example.us");
    }

    @Test
    void aRelayThatRefusesTheGatewayAfterAnotherTookItsPartDefersItsRecipientsAndReportsTheRefusal() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder());
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        us.acceptCredentials(USER, "rotated");
        OutboundMessage message = message("a@example.eu", "b@example.us");

        SubmissionOutcome outcome = router(eu.port(), us.port()).submitFor(message, null, null);

        assertThat(statuses(sent(message, outcome))).isEqualTo(Map.of("a@example.eu", "SENT", "b@example.us", "DEFERRED"));
        assertThat(refusals).singleElement().satisfies(refusal -> {
            assertThat(refusal.category()).isEqualTo("auth-failed");
            assertThat(refusal.getMessage()).startsWith("relay 'us': ").doesNotContain(PASSWORD);
        });
    }

    @Test
    void aRefusalBeforeAnyRelayTookTheMessageFailsTheWholeAttemptWithTheRelaysName() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder());
        eu.acceptCredentials(USER, "rotated");
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("a@example.eu", "b@example.us");

        SmtpPermanentException refusal = catchThrowableOfType(SmtpPermanentException.class,
                () -> router(eu.port(), us.port()).submitFor(message, null, null));

        assertThat(refusal.category()).isEqualTo("auth-failed");
        assertThat(refusal.getMessage()).startsWith("relay 'eu': ");
        // nothing was sent, so the record can be read again once the relay accepts the gateway
        assertThat(us.messages()).isEmpty();
        assertThat(refusals).isEmpty();
    }

    @Test
    void whenNoRelayTookTheMessageTheRefusedRecipientsFailAndTheUnreachableOnesArePending() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder().on(Command.DATA_END, reply(554, "5.7.1 refused")));
        OutboundMessage message = message("a@example.eu", "b@example.us");

        SmtpTransientException failure = catchThrowableOfType(SmtpTransientException.class,
                () -> router(eu.port(), FreePorts.next()).submitFor(message, null, null));

        var decision = planner.afterFailure(failure, message, attempt(message));
        assertThat(decision.result().status()).isEqualTo(DeliveryResult.Status.DEFERRED);
        assertThat(statuses(decision.result())).isEqualTo(Map.of("a@example.eu", "FAILED", "b@example.us", "DEFERRED"));
        assertThat(decision.retry().state().pending()).containsExactly("b@example.us");
    }

    @Test
    void aRelayThatGreetsWith421IsFailedOver() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder().on(Command.GREETING, reply(421, "4.3.2 too busy")));
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("a@example.both");

        SubmissionOutcome outcome = router(eu.port(), us.port()).submitFor(message, null, null);

        assertThat(us.messages()).singleElement().satisfies(m ->
                assertThat(m.envelopeRecipients()).containsExactly("a@example.both"));
        assertThat(eu.commandLines()).noneMatch(line -> line.startsWith("MAIL"));
        assertThat(failovers).containsExactly("eu -> us");
        assertThat(statuses(sent(message, outcome))).isEqualTo(Map.of("a@example.both", "SENT"));
    }

    @Test
    void aRelayThatDefersAfterTheGreetingIsNotFailedOver() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder().on(Command.MAIL, reply(451, "4.3.0 try later")));
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("a@example.both");

        SmtpTransientException deferred = catchThrowableOfType(SmtpTransientException.class,
                () -> router(eu.port(), us.port()).submitFor(message, null, null));

        assertThat(deferred.reply().code()).isEqualTo(451);
        assertThat(us.messages()).isEmpty();
        assertThat(failovers).isEmpty();
    }

    @Test
    void aRelayThatGoesSilentAfterTheMessageIsNotFailedOver() throws Exception {
        ScriptedSmtpServer eu = relay(ScriptedSmtpServer.builder().on(Command.DATA_END, ScriptedSmtpServer.Action.drop()));
        ScriptedSmtpServer us = relay(ScriptedSmtpServer.builder());
        OutboundMessage message = message("a@example.both");

        SmtpTransientException unknown = catchThrowableOfType(SmtpTransientException.class,
                () -> router(eu.port(), us.port()).submitFor(message, null, null));

        // the first relay may have queued the mail: sending it elsewhere now could deliver it twice
        assertThat(unknown.category()).isEqualTo("unknown-outcome");
        assertThat(us.messages()).isEmpty();
        assertThat(failovers).isEmpty();
    }

    private ScriptedSmtpServer relay(ScriptedSmtpServer.Builder builder) {
        ScriptedSmtpServer server = builder.startTls(certificate).credentials(USER, PASSWORD).start();
        opened.add(server);
        return server;
    }

    private RelayRouter router(int euPort, int usPort) throws IOException {
        Path passwordFile = Files.writeString(work.resolve("password"), PASSWORD);
        Relay defaultRelay = new Relay(Relay.DEFAULT, settings(FreePorts.next()), SmtpPoolSettings.DEFAULT);
        Relays relays = Relays.load(Files.writeString(work.resolve("relays.yaml"), """
                relays:
                  eu: {host: %1$s, port: %2$d, username: %4$s, passwordFile: %5$s, trustCaFile: %6$s}
                  us: {host: %1$s, port: %3$d, username: %4$s, passwordFile: %5$s, trustCaFile: %6$s}
                routes:
                  - {domains: [example.eu], relays: [eu]}
                  - {domains: [example.us], relays: [us]}
                  - {domains: [example.both], relays: [eu, us]}
                """.formatted(ScriptedSmtpServer.HOST, euPort, usPort, USER, passwordFile, certificate.caPemFile())),
                defaultRelay, name -> null);
        Map<String, GatewayMailSender> senders = new LinkedHashMap<>();
        for (Relay relay : relays.all()) {
            GatewayMailSender sender = new GatewayMailSender(relay.settings(), relay.pool(), (outcome, duration) -> { });
            senders.put(relay.name(), sender);
            opened.add(sender);
        }
        RelayRouter router = new RelayRouter(senders, new RelaySelection(relays, Tenants.none()),
                (from, to) -> failovers.add(from + " -> " + to));
        router.onRefusal(refusals::add);
        return router;
    }

    private static SmtpSettings settings(int port) {
        return new SmtpSettings(ScriptedSmtpServer.HOST, port, SmtpSecurity.STARTTLS, USER, PASSWORD,
                certificate.caPemFile(), TIMEOUT, TIMEOUT, TIMEOUT, "gateway.example.org");
    }

    private static OutboundMessage message(String... to) {
        return new MimeComposer(1 << 20, Clock.systemUTC()).compose(request(to),
                new RenderedContent("Split", null, "Hello\r\n", "en"));
    }

    private static MailRequest request(String... to) {
        return new MailRequest("split-1", null, "en", new MailAddress("shop@example.org", null), null,
                Arrays.stream(to).map(a -> new MailAddress(a, null)).toList(), List.of(), List.of(),
                null, null, null, Map.of(), List.of(), Map.of(), Map.of());
    }

    private static MailRequest request(OutboundMessage message) throws Exception {
        return request(Arrays.stream(message.getAllRecipients()).map(Object::toString).toArray(String[]::new));
    }

    private static Attempt attempt(OutboundMessage message) throws Exception {
        Attempt attempt = new Attempt(null, "fallback", json(), RetryState.first(now()));
        attempt.setRequest(request(message));
        return attempt;
    }

    private static byte[] json() {
        return "{\"id\": \"split-1\"}".getBytes(StandardCharsets.UTF_8);
    }

    private DeliveryResult sent(OutboundMessage message, SubmissionOutcome outcome) throws Exception {
        return planner.afterSubmission(outcome, attempt(message)).result();
    }

    private static String now() {
        return new ResultFactory(Clock.systemUTC()).now();
    }

    private static Map<String, String> statuses(DeliveryResult result) {
        Map<String, String> statuses = new TreeMap<>();
        result.recipients().forEach(r -> statuses.put(r.address(), r.status().name()));
        return statuses;
    }

    private static Recipient recipient(DeliveryResult result, String address) {
        return result.recipients().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }
}
