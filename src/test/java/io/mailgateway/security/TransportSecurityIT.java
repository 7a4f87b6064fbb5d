package io.mailgateway.security;

import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;
import io.mailgateway.support.TestCa;

/**
 * The network to the relay is untrusted: certificates must chain to a trusted CA, be valid now and name the relay,
 * over STARTTLS and implicit TLS alike, and nothing secret leaves before that holds.
 */
class TransportSecurityIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "transport-Secret-0f-the-gateway";
    private static final String BODY_MARKER = "confidential shipping notice 7731";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** How a relay protects the connection in each case. */
    enum Mode { STARTTLS, IMPLICIT_TLS }

    @TempDir
    static Path certificates;

    private static TestCa ca;
    private static SSLContext validChain;
    private static SSLContext expiredChain;
    private static SSLContext notYetValidChain;
    private static SSLContext otherHostChain;

    private final MimeComposer composer = new MimeComposer(10_000_000,
            Clock.fixed(Instant.parse("2026-01-15T10:00:00Z"), ZoneOffset.UTC));

    private ScriptedSmtpServer relay;

    @BeforeAll
    static void issueCertificates() {
        ca = TestCa.create(certificates);
        Duration month = Duration.ofDays(30);
        validChain = ca.serverContext(Duration.ofDays(-1), month, "localhost", "127.0.0.1");
        // issued by the trusted CA with the right names: only the dates are wrong
        expiredChain = ca.serverContext(Duration.ofDays(-60), month, "localhost", "127.0.0.1");
        notYetValidChain = ca.serverContext(Duration.ofDays(30), month, "localhost", "127.0.0.1");
        // valid and trusted, but for a name the gateway does not connect to
        otherHostChain = ca.serverContext(Duration.ofDays(-1), month, "other-host.invalid");
    }

    @AfterEach
    void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void certificateChainingToTheTrustedCaIsAccepted(Mode mode) throws Exception {
        relay = relay(mode, validChain).credentials(USER, PASSWORD).start();

        sender(mode, ca.caPemFile()).submit(message());

        // the positive control for the refusals below: same CA, same names, valid dates
        assertThat(relay.messages()).singleElement()
                .satisfies(mail -> assertThat(mail.rawAsString()).contains(BODY_MARKER));
    }

    /** What is wrong with the relay's certificate, and which CA file the gateway trusts meanwhile. */
    enum Untrustworthy {
        EXPIRED("an expired certificate is refused before anything is sent", () -> expiredChain, true),
        NOT_YET_VALID("a certificate not yet valid is refused before anything is sent", () -> notYetValidChain, true),
        // the JVM's default CAs only: the test CA is not among them
        UNTRUSTED_ISSUER("a certificate from an untrusted issuer is refused", () -> validChain, false),
        OTHER_HOST_NAME("a trusted certificate for another host name is refused", () -> otherHostChain, true);

        private final String behaviour;
        private final Supplier<SSLContext> chain;
        private final boolean trustsTheTestCa;

        Untrustworthy(String behaviour, Supplier<SSLContext> chain, boolean trustsTheTestCa) {
            this.behaviour = behaviour;
            this.chain = chain;
            this.trustsTheTestCa = trustsTheTestCa;
        }

        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Arguments> untrustworthyCertificatesInEachMode() {
        return Stream.of(Untrustworthy.values())
                .flatMap(certificate -> Stream.of(Mode.values()).map(mode -> arguments(certificate, mode)));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("untrustworthyCertificatesInEachMode")
    void untrustworthyCertificateIsRefusedAsATlsFailure(Untrustworthy certificate, Mode mode) {
        relay = relay(mode, certificate.chain.get()).credentials(USER, PASSWORD).start();

        assertRefusedAsTlsFailure(mode, certificate.trustsTheTestCa ? ca.caPemFile() : null);
    }

    @Test
    void implicitTlsRelayWithoutAuthGetsNoMailWhenCredentialsAreConfigured() {
        relay = ScriptedSmtpServer.builder().implicitTls(validChain).start();

        SmtpPermanentException failure = thrown(() -> sender(Mode.IMPLICIT_TLS, ca.caPemFile()).submit(message()));

        assertThat(failure.category()).isEqualTo("auth-failed");
        await().atMost(WAIT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.tlsHandshakes()).isEqualTo(1);
        assertThat(relay.commandLines()).noneMatch(line -> line.startsWith("MAIL") || line.startsWith("RCPT")
                || line.equals("DATA"));
        assertThat(relay.messages()).isEmpty();
    }

    @Test
    void relayRefusingTheStartTlsCommandIsRetriedLaterAndGetsNoCredentialsMeanwhile() {
        // what a man in the middle answers when it wants the rest of the dialogue in clear text
        relay = ScriptedSmtpServer.builder().startTls(validChain).credentials(USER, PASSWORD)
                .on(Command.STARTTLS, reply(454, "4.7.0 TLS not available due to temporary reason")).start();

        SmtpTransientException failure = catchThrowableOfType(SmtpTransientException.class,
                () -> sender(Mode.STARTTLS, ca.caPemFile()).submit(message()));

        // 454 is temporary by RFC 3207: the request is retried later, never continued without TLS
        assertThat(failure).isNotNull();
        assertThat(failure.category()).isEqualTo("relay-unavailable");
        await().atMost(WAIT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.cleartext()).contains("STARTTLS");
        assertNothingSensitiveIn(relay.cleartext());
        assertThat(relay.tlsBytes()).isEmpty();
        assertThat(relay.messages()).isEmpty();
    }

    @Test
    void sessionAllowsOnlyTls12AndNewerWithHostNameChecksAndNoTrustShortcut() {
        for (Mode mode : Mode.values()) {
            Map<Object, Object> properties = sender(mode, ca.caPemFile()).sessionProperties();
            String prefix = mode == Mode.STARTTLS ? "mail.smtp." : "mail.smtps.";

            assertThat(properties).containsEntry(prefix + "ssl.protocols", "TLSv1.3 TLSv1.2")
                    .containsEntry(prefix + "ssl.checkserveridentity", "true")
                    .containsEntry(prefix + "socketFactory.fallback", "false")
                    .doesNotContainKey(prefix + "ssl.trust")
                    .doesNotContainKey("mail.debug");
            if (mode == Mode.STARTTLS) {
                assertThat(properties).containsEntry(prefix + "starttls.required", "true");
            }
        }
    }

    private void assertRefusedAsTlsFailure(Mode mode, Path trustedCa) {
        SmtpPermanentException failure = thrown(() -> sender(mode, trustedCa).submit(message()));

        assertThat(failure.category()).isEqualTo("tls-failed");
        assertThat(failure.getMessage()).doesNotContain(PASSWORD);
        await().atMost(WAIT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.tlsHandshakes()).isZero();
        assertThat(relay.tlsBytes()).isEmpty();
        assertNothingSensitiveIn(relay.cleartext());
        assertThat(relay.messages()).isEmpty();
    }

    private static void assertNothingSensitiveIn(String cleartext) {
        String plain = Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String login = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThat(cleartext).doesNotContain("AUTH", "MAIL FROM", "RCPT TO", PASSWORD, plain, login, BODY_MARKER);
    }

    private static ScriptedSmtpServer.Builder relay(Mode mode, SSLContext context) {
        ScriptedSmtpServer.Builder builder = ScriptedSmtpServer.builder();
        return mode == Mode.STARTTLS ? builder.startTls(context) : builder.implicitTls(context);
    }

    private GatewayMailSender sender(Mode mode, Path trustedCa) {
        return new GatewayMailSender(new SmtpSettings(ScriptedSmtpServer.HOST, relay == null ? 1 : relay.port(),
                mode == Mode.STARTTLS ? SmtpSecurity.STARTTLS : SmtpSecurity.TLS, USER, PASSWORD, trustedCa,
                TIMEOUT, TIMEOUT, TIMEOUT, "gateway.example.org"));
    }

    private OutboundMessage message() {
        MailRequest request = new MailRequest("transport-1", null, "en", new MailAddress("shop@example.org", null), null,
                List.of(new MailAddress("alice@example.org", null)), List.of(), List.of(), null, null, null,
                Map.of(), List.of(), Map.of(), Map.of());
        return composer.compose(request, new RenderedContent("Shipping", null, "Hello, " + BODY_MARKER + ".", "en"));
    }

    private static SmtpPermanentException thrown(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        SmtpPermanentException failure = catchThrowableOfType(SmtpPermanentException.class, call);
        assertThat(failure).as("expected the relay to be refused, but the mail was sent").isNotNull();
        return failure;
    }
}
