package io.mailgateway.smtp;

import static io.mailgateway.support.ScriptedSmtpServer.Action.drop;
import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static io.mailgateway.support.ScriptedSmtpServer.Action.silence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalSmtpServer;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Drives the gateway's SMTP client against real servers, a well-behaved one and one that misbehaves on cue. */
class GatewayMailSenderIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "s3cret-Passw0rd-never-in-clear";
    private static final String BODY_MARKER = "order 1042 has shipped";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path certificates;

    private static LocalCertificate localhost;
    private static LocalCertificate otherHost;

    private final MimeComposer composer = new MimeComposer(10_000_000,
            Clock.fixed(Instant.parse("2026-01-15T10:00:00Z"), ZoneOffset.UTC));

    @TempDir
    Path mailDir;

    private LocalSmtpServer localServer;
    private ScriptedSmtpServer scripted;

    @BeforeAll
    static void createCertificates() {
        localhost = LocalCertificate.create(certificates.resolve("localhost"));
        otherHost = LocalCertificate.createForOtherHost(certificates.resolve("other-host"));
    }

    @AfterEach
    void stopServers() {
        if (localServer != null) {
            localServer.close();
        }
        if (scripted != null) {
            scripted.close();
        }
    }

    // --- TLS and AUTH against a real submission server ---

    @Test
    void deliversOverStartTlsWithAuthAndRecordsTheRelaysAnswers() throws Exception {
        localServer = startLocalServer(localhost, false);
        OutboundMessage message = message(List.of("alice@example.org"), List.of("carol@example.org"),
                List.of("dave@example.org"));

        SubmissionOutcome outcome = sender(SmtpSecurity.STARTTLS, LocalSmtpServer.HOST, localServer.port(),
                localhost.caPemFile(), PASSWORD).submit(message);

        assertThat(outcome).isNotNull();
        assertThat(outcome.reply().code()).isEqualTo(250);
        assertThat(outcome.recipients()).extracting(RecipientOutcome::address)
                .containsExactly("alice@example.org", "carol@example.org", "dave@example.org");
        assertThat(outcome.recipients()).allSatisfy(recipient -> {
            assertThat(recipient.accepted()).isTrue();
            assertThat(recipient.reply().code()).isEqualTo(250);
        });

        ReceivedMail mail = localServer.awaitMessages(1, WAIT).get(0);
        assertThat(mail.envelopeFrom()).isEqualTo("shop@example.org");
        assertThat(mail.envelopeRecipients())
                .containsExactly("alice@example.org", "carol@example.org", "dave@example.org");
        // Bcc recipients get the mail through the envelope only; the header would disclose them to everyone
        assertThat(mail.rawAsString()).doesNotContainIgnoringCase("bcc:").doesNotContain("dave@example.org");
        assertThat(mail.rawAsString()).contains(BODY_MARKER).contains(message.messageId());
    }

    @Test
    void deliversOverImplicitTls() throws Exception {
        localServer = startLocalServer(localhost, true);
        OutboundMessage message = message("alice@example.org");

        SubmissionOutcome outcome = sender(SmtpSecurity.TLS, LocalSmtpServer.HOST, localServer.port(),
                localhost.caPemFile(), PASSWORD).submit(message);

        assertThat(outcome.reply().code()).isEqualTo(250);
        assertThat(localServer.awaitMessages(1, WAIT).get(0).envelopeRecipients())
                .containsExactly("alice@example.org");
    }

    @Test
    void keepsCredentialsAndContentInsideTls() throws Exception {
        scripted = scriptedRelay().start();

        try (GatewayMailSender sender = scriptedSender()) {
            sender.submit(message("alice@example.org"));
        }

        await().atMost(WAIT).until(() -> scripted.activeConnections() == 0);
        // the positive control for the tests below: the recorder does see AUTH, MAIL and the body, inside TLS
        assertThat(scripted.tlsText()).contains("AUTH ", "MAIL FROM:<shop@example.org>", BODY_MARKER);
        assertThat(scripted.cleartext()).contains("EHLO ", "STARTTLS");
        assertNothingSensitiveIn(scripted.cleartext());
        assertThat(scripted.messages()).singleElement()
                .satisfies(received -> assertThat(received.envelopeRecipients()).containsExactly("alice@example.org"));
    }

    @Test
    void sendsNothingToARelayThatDoesNotOfferStartTls() {
        // offers AUTH in the clear, so the client could leak the password if it did not insist on TLS
        scripted = ScriptedSmtpServer.builder().credentials(USER, PASSWORD).start();

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> scriptedSender().submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("tls-failed");
        await().atMost(WAIT).until(() -> scripted.activeConnections() == 0);
        assertThat(scripted.connections()).isEqualTo(1);
        assertThat(scripted.cleartext()).contains("EHLO ");
        assertNothingSensitiveIn(scripted.cleartext());
        assertThat(scripted.tlsBytes()).isEmpty();
        assertThat(scripted.messages()).isEmpty();
    }

    @Test
    void refusesACertificateItDoesNotTrust() throws Exception {
        localServer = startLocalServer(localhost, false);

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> sender(SmtpSecurity.STARTTLS, LocalSmtpServer.HOST, localServer.port(), null, PASSWORD)
                        .submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("tls-failed");
        assertThat(localServer.received()).isEmpty();
    }

    @Test
    void refusesATrustedCertificateIssuedForAnotherHostName() throws Exception {
        localServer = startLocalServer(otherHost, false);

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> sender(SmtpSecurity.STARTTLS, LocalSmtpServer.HOST, localServer.port(), otherHost.caPemFile(),
                        PASSWORD).submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("tls-failed");
        assertThat(localServer.received()).isEmpty();
    }

    @Test
    void refusesToSendUnauthenticatedWhenTheRelayDoesNotOfferAuth() {
        scripted = ScriptedSmtpServer.builder().startTls(localhost).start();

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> scriptedSender().submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("auth-failed");
        await().atMost(WAIT).until(() -> scripted.activeConnections() == 0);
        assertThat(scripted.tlsHandshakes()).isEqualTo(1);
        assertThat(scripted.commandLines()).noneMatch(line -> line.startsWith("MAIL"))
                .noneMatch(line -> line.startsWith("RCPT")).noneMatch(line -> line.startsWith("DATA"));
        assertThat(scripted.messages()).isEmpty();
    }

    @Test
    void reportsAWrongPasswordAsAuthFailedWithTheRelaysReply() throws Exception {
        localServer = startLocalServer(localhost, false);

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> sender(SmtpSecurity.STARTTLS, LocalSmtpServer.HOST, localServer.port(), localhost.caPemFile(),
                        "not-the-password").submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("auth-failed");
        assertThat(failure.reply()).isNotNull();
        assertThat(failure.reply().code()).isEqualTo(535);
        assertThat(failure.getMessage()).doesNotContain("not-the-password");
        assertThat(localServer.received()).isEmpty();
    }

    @Test
    void defersWhenTheRelayCannotCheckCredentialsForNow() {
        scripted = scriptedRelay().on(Command.AUTH, reply(454, "4.7.0 temporary authentication failure")).start();

        SmtpTransientException failure = sendExpecting(SmtpTransientException.class);

        assertThat(failure.reply().code()).isEqualTo(454);
        await().atMost(WAIT).until(() -> scripted.activeConnections() == 0);
        assertThat(scripted.commandLines()).noneMatch(line -> line.startsWith("MAIL"));
    }

    // --- the relay's replies ---

    @Test
    void defersWhenTheRelayGreetsWith421() {
        scripted = scriptedRelay().on(Command.GREETING, reply(421, "4.3.2 too busy, try later")).start();

        SmtpTransientException failure = sendExpecting(SmtpTransientException.class);

        assertThat(failure.category()).isEqualTo("relay-unavailable");
        assertThat(failure.reply().code()).isEqualTo(421);
        assertThat(failure.reply().enhancedStatus()).isEqualTo("4.3.2");
    }

    @Test
    void defersWhenTheRelayDefersMailFrom() {
        scripted = scriptedRelay().on(Command.MAIL, reply(451, "4.3.0 local error, try later")).start();

        SmtpTransientException failure = sendExpecting(SmtpTransientException.class);

        assertThat(failure.reply().code()).isEqualTo(451);
        assertThat(scripted.messages()).isEmpty();
    }

    @Test
    void defersWhenTheRelayDefersTheMessageAfterData() {
        scripted = scriptedRelay().on(Command.DATA_END, reply(451, "4.3.0 queue full, try later")).start();

        SmtpTransientException failure = sendExpecting(SmtpTransientException.class);

        assertThat(failure.reply().code()).isEqualTo(451);
        assertThat(failure.reply().enhancedStatus()).isEqualTo("4.3.0");
        assertThat(scripted.messages()).isEmpty();
    }

    @Test
    void failsWhenTheRelayRejectsTheMessageAfterData() {
        scripted = scriptedRelay().on(Command.DATA_END, reply(554, "5.7.1 message refused as spam")).start();

        SmtpPermanentException failure = sendExpecting(SmtpPermanentException.class);

        assertThat(failure.category()).isEqualTo("message-rejected");
        assertThat(failure.reply().code()).isEqualTo(554);
        assertThat(failure.reply().enhancedStatus()).isEqualTo("5.7.1");
        assertThat(failure.reply().text()).contains("message refused as spam");
    }

    @Test
    void failsWhenTheRelayRejectsEveryRecipient() {
        scripted = scriptedRelay().on(Command.RCPT, reply(550, "5.1.1 no such user")).start();

        SmtpPermanentException failure = thrown(SmtpPermanentException.class,
                () -> scriptedSender().submit(message("alice@example.org", "bob@example.org")));

        assertThat(failure.category()).isEqualTo("recipient-rejected");
        assertThat(failure.reply().code()).isEqualTo(550);
        assertThat(failure.recipients()).extracting(RecipientOutcome::address)
                .containsExactly("alice@example.org", "bob@example.org");
        assertThat(failure.recipients()).allSatisfy(recipient -> {
            assertThat(recipient.accepted()).isFalse();
            assertThat(recipient.reply().code()).isEqualTo(550);
            assertThat(recipient.reply().enhancedStatus()).isEqualTo("5.1.1");
        });
        await().atMost(WAIT).until(() -> scripted.activeConnections() == 0);
        assertThat(scripted.commandLines()).noneMatch(line -> line.equals("DATA"));
    }

    @Test
    void deliversToTheAcceptedRecipientAndRecordsTheRejectedOne() throws Exception {
        scripted = scriptedRelay().onRecipient("nobody@example.org", reply(550, "5.1.1 no such user")).start();
        OutboundMessage message = message("alice@example.org", "nobody@example.org");

        SubmissionOutcome outcome = scriptedSender().submit(message);

        assertThat(outcome.reply().code()).isEqualTo(250);
        assertThat(outcome.recipients()).satisfiesExactly(
                alice -> {
                    assertThat(alice.address()).isEqualTo("alice@example.org");
                    assertThat(alice.accepted()).isTrue();
                },
                nobody -> {
                    assertThat(nobody.address()).isEqualTo("nobody@example.org");
                    assertThat(nobody.accepted()).isFalse();
                    assertThat(nobody.reply().code()).isEqualTo(550);
                    assertThat(nobody.reply().enhancedStatus()).isEqualTo("5.1.1");
                });
        assertThat(scripted.messages()).singleElement()
                .satisfies(received -> assertThat(received.envelopeRecipients()).containsExactly("alice@example.org"));
    }

    @Test
    void defersWhenNoRecipientIsAcceptedAndOneIsDeferred() {
        scripted = scriptedRelay()
                .onRecipient("alice@example.org", reply(450, "4.2.1 mailbox busy"))
                .onRecipient("nobody@example.org", reply(550, "5.1.1 no such user"))
                .start();

        SmtpTransientException failure = thrown(SmtpTransientException.class,
                () -> scriptedSender().submit(message("alice@example.org", "nobody@example.org")));

        assertThat(failure.recipients()).extracting(recipient -> recipient.reply().code()).containsExactly(450, 550);
        assertThat(scripted.messages()).isEmpty();
    }

    // --- the network ---

    @Test
    void defersWhenNothingListens() {
        int closedPort = FreePorts.next();

        SmtpTransientException failure = thrown(SmtpTransientException.class,
                () -> sender(SmtpSecurity.STARTTLS, ScriptedSmtpServer.HOST, closedPort, localhost.caPemFile(), PASSWORD)
                        .submit(message("alice@example.org")));

        assertThat(failure.category()).isEqualTo("relay-unavailable");
        assertThat(failure.reply()).isNull();
    }

    @ParameterizedTest(name = "silent at {0}")
    @EnumSource(value = Command.class, names = {"GREETING", "DATA_END"})
    void givesUpOnASilentRelayWithinTheReadTimeout(Command step) {
        scripted = scriptedRelay().on(step, silence()).start();
        Duration readTimeout = Duration.ofMillis(500);
        GatewayMailSender sender = new GatewayMailSender(new SmtpSettings(ScriptedSmtpServer.HOST, scripted.port(),
                SmtpSecurity.STARTTLS, USER, PASSWORD, localhost.caPemFile(), TIMEOUT, readTimeout, TIMEOUT, null));

        long start = System.nanoTime();
        SmtpTransientException failure = thrown(SmtpTransientException.class,
                () -> sender.submit(message("alice@example.org")));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).isGreaterThanOrEqualTo(readTimeout.minusMillis(50)).isLessThan(Duration.ofSeconds(3));
        assertThat(failure.reply()).isNull();
        // Silence after the final "." leaves open whether the relay took the message.
        assertThat(failure.category()).isEqualTo(step == Command.DATA_END ? "unknown-outcome" : "relay-unavailable");
    }

    @Test
    void connectionDroppedAfterTheMessageIsAnUnknownOutcome() {
        scripted = scriptedRelay().on(Command.DATA_END, drop()).start();

        SmtpTransientException failure = sendExpecting(SmtpUnknownOutcomeException.class);

        assertThat(failure.category()).isEqualTo("unknown-outcome");
        // there was no reply; an invented one would not be a valid SMTP code in the delivery result
        assertThat(failure.reply()).isNull();
    }

    @ParameterizedTest(name = "hang-up at {0}")
    @EnumSource(value = Command.class, names = {"GREETING", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA"})
    void defersWithoutAReplyWhenTheRelayHangsUp(Command step) {
        scripted = scriptedRelay().on(step, drop()).start();

        SmtpTransientException failure = sendExpecting(SmtpTransientException.class);

        assertThat(failure.category()).isEqualTo("relay-unavailable");
        assertThat(failure.reply()).isNull();
        assertThat(scripted.messages()).isEmpty();
    }

    // --- messages, senders and servers ---

    private static void assertNothingSensitiveIn(String cleartext) {
        String plainResponse = Base64.getEncoder().encodeToString(
                ("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String loginResponse = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThat(cleartext)
                .doesNotContain("AUTH")
                .doesNotContain("MAIL FROM")
                .doesNotContain("RCPT TO")
                .doesNotContain(PASSWORD)
                .doesNotContain(plainResponse)
                .doesNotContain(loginResponse)
                .doesNotContain(BODY_MARKER);
    }

    private <T extends SmtpSubmissionException> T sendExpecting(Class<T> type) {
        return thrown(type, () -> scriptedSender().submit(message("alice@example.org")));
    }

    /** The failure of the given type; fails the test, naming the type, when the call succeeds. */
    private static <T extends Throwable> T thrown(Class<T> type, ThrowingCallable call) {
        T failure = catchThrowableOfType(type, call);
        assertThat(failure).as("expected a %s, but the call succeeded", type.getSimpleName()).isNotNull();
        return failure;
    }

    private static ScriptedSmtpServer.Builder scriptedRelay() {
        return ScriptedSmtpServer.builder().startTls(localhost).credentials(USER, PASSWORD);
    }

    private GatewayMailSender scriptedSender() {
        return sender(SmtpSecurity.STARTTLS, ScriptedSmtpServer.HOST, scripted.port(), localhost.caPemFile(), PASSWORD);
    }

    private static GatewayMailSender sender(SmtpSecurity security, String host, int port, Path caFile, String password) {
        return new GatewayMailSender(new SmtpSettings(host, port, security, USER, password, caFile,
                TIMEOUT, TIMEOUT, TIMEOUT, "gateway.example.org"));
    }

    private LocalSmtpServer startLocalServer(LocalCertificate certificate, boolean implicitTls) {
        return LocalSmtpServer.builder()
                .certificate(certificate)
                .credentials(USER, PASSWORD)
                .implicitTls(implicitTls)
                .mailDir(mailDir)
                .build()
                .start();
    }

    private OutboundMessage message(String... to) {
        return message(List.of(to), List.of(), List.of());
    }

    private OutboundMessage message(List<String> to, List<String> cc, List<String> bcc) {
        MailRequest request = new MailRequest("order-1042-shipped", null, "en",
                new MailAddress("shop@example.org", "Example Shop"), null,
                addresses(to), addresses(cc), addresses(bcc), null, null, null,
                Map.of(), List.of(), Map.of(), Map.of());
        RenderedContent content = new RenderedContent("Your order", null,
                "Hello,\r\nyour " + BODY_MARKER + ".\r\n", "en");
        return composer.compose(request, content);
    }

    private static List<MailAddress> addresses(List<String> addresses) {
        return addresses.stream().map(address -> new MailAddress(address, null)).toList();
    }
}
