package io.mailgateway.smtp;

import static io.mailgateway.support.ScriptedSmtpServer.Action.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.Command;

/** The pool of SMTP sessions behind the gateway's sender, against a STARTTLS + AUTH server that counts connections. */
class SmtpConnectionPoolIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "pool-test-Passw0rd";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path certificates;

    private static LocalCertificate localhost;

    private final MimeComposer composer = new MimeComposer(10_000_000, Clock.systemUTC());
    private ScriptedSmtpServer relay;
    private GatewayMailSender sender;

    @BeforeAll
    static void createCertificate() {
        localhost = LocalCertificate.create(certificates.resolve("localhost"));
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void messagesReuseOneAuthenticatedConnectionWithRsetBetweenThem() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(2, 100, Duration.ofSeconds(30)));

        for (int i = 0; i < 5; i++) {
            sender.submit(message("m" + i));
        }

        assertThat(relay.messages()).hasSize(5);
        assertThat(relay.connections()).isEqualTo(1);
        assertThat(relay.tlsHandshakes()).isEqualTo(1);
        assertThat(relay.commandLines()).filteredOn(line -> line.startsWith("AUTH")).hasSize(1);
        assertThat(relay.commandLines()).filteredOn(line -> line.equals("RSET")).hasSize(5);
        assertThat(sender.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void connectionIsRetiredAfterItsShareOfMessages() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(2, 3, Duration.ofSeconds(30)));

        for (int i = 0; i < 7; i++) {
            sender.submit(message("m" + i));
        }

        assertThat(relay.messages()).hasSize(7);
        // 3 + 3 + 1 messages
        assertThat(relay.connections()).isEqualTo(3);
        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 1);
    }

    @Test
    void idleConnectionIsClosedAfterTheIdleTime() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(2, 100, Duration.ofMillis(300)));

        sender.submit(message("first"));
        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        sender.submit(message("second"));

        assertThat(sender.openConnections()).isEqualTo(1);
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(relay.commandLines()).contains("QUIT");
    }

    @Test
    void idleConnectionsAreCheckedWithNoop() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(2, 100, Duration.ofSeconds(1)));

        sender.submit(message("first"));

        await().atMost(TIMEOUT).until(() -> relay.commandLines().contains("NOOP"));
    }

    @Test
    void connectionTheRelayClosedIsDiscardedAndTheMessageGoesOverAFreshOne() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(2, 100, Duration.ofSeconds(30)));
        sender.submit(message("first"));

        relay.dropOpenConnections();
        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        OutboundMessage second = message("second");
        SubmissionOutcome outcome = sender.submit(second);

        assertThat(outcome.reply().code()).isEqualTo(250);
        assertThat(relay.messages()).hasSize(2);
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(sender.openConnections()).isEqualTo(1);
    }

    @Test
    void connectionIsDiscardedAfterAnError() throws Exception {
        relay = relay().on(Command.DATA_END, reply(451, "451 4.3.0 try again later")).start();
        sender = sender(new SmtpPoolSettings(2, 100, Duration.ofSeconds(30)));

        SmtpTransientException first = catchThrowableOfType(SmtpTransientException.class, () -> sender.submit(message("a")));
        SmtpTransientException second = catchThrowableOfType(SmtpTransientException.class, () -> sender.submit(message("b")));

        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        // A session whose transaction failed is never reused; deferrals are not retried on a new connection.
        assertThat(relay.connections()).isEqualTo(2);
        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
    }

    @Test
    void concurrentSendsNeverOpenMoreConnectionsThanThePoolSize() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(3, 100, Duration.ofSeconds(30)));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                OutboundMessage message = message("c" + i);
                sends.add(CompletableFuture.runAsync(() -> {
                    try {
                        sender.submit(message);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(relay.messages()).hasSize(40);
        assertThat(relay.mostActiveConnections()).isLessThanOrEqualTo(3);
        assertThat(sender.connectionsOpened()).isLessThanOrEqualTo(3);
    }

    @Test
    void noConnectionOutlivesTheSender() throws Exception {
        relay = relay().start();
        sender = sender(new SmtpPoolSettings(3, 100, Duration.ofSeconds(30)));
        sender.submit(message("one"));
        assertThat(relay.activeConnections()).isEqualTo(1);

        sender.close();

        await().atMost(TIMEOUT).until(() -> relay.activeConnections() == 0);
        assertThat(relay.commandLines()).contains("QUIT");
        assertThat(sender.openConnections()).isZero();
    }

    private static ScriptedSmtpServer.Builder relay() {
        return ScriptedSmtpServer.builder().startTls(localhost).credentials(USER, PASSWORD);
    }

    private GatewayMailSender sender(SmtpPoolSettings pool) {
        return new GatewayMailSender(new SmtpSettings(ScriptedSmtpServer.HOST, relay.port(), SmtpSecurity.STARTTLS,
                USER, PASSWORD, localhost.caPemFile(), TIMEOUT, TIMEOUT, TIMEOUT, "gateway.example.org"),
                pool, (outcome, duration) -> { });
    }

    private OutboundMessage message(String id) {
        MailRequest request = new MailRequest(id, null, "en", new MailAddress("shop@example.org", null), null,
                List.of(new MailAddress("alice@example.org", null)), List.of(), List.of(), null, null, null,
                Map.of(), List.of(), Map.of(), Map.of());
        return composer.compose(request, new RenderedContent("Hello", null, "Hello.\r\n", "en"));
    }
}
