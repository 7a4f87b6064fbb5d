package io.mailgateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.MailGateway;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.suppress.Suppression;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.tls.Certificates;
import io.mailgateway.tls.Certificates.KeyAndCertificate;
import io.mailgateway.tls.Pem;

/**
 * The bounce mailbox end to end: the gateway's routes in this JVM against a real Kafka broker, and an IMAPS server
 * (GreenMail) trusted only through a CA file, holding delivery reports and complaints addressed to return paths made
 * with the gateway's key. Reports become delivery events, hard bounces and complaints suppress the address, and
 * every message is filed once, whether or not it could be matched.
 */
class BounceMailboxIT {

    private static final String EVENTS = "mail.events";
    private static final String MAILBOX_USER = "bounces@gw.test";
    private static final String FIXTURE_RETURN_PATH = "bounces+k7m2q4x6z3a5b7c2d4e6f3g5h7jab@bounce.gw.test";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    static GreenMail imap;
    static GreenMailUser mailbox;
    static InJvmGateway gateway;
    static KafkaTopics.Reader events;
    static KafkaTopics.Reader suppressions;
    static ReturnPaths returnPaths;
    static Map<String, String> mailboxSettings;

    @BeforeAll
    static void start() throws Exception {
        KeyAndCertificate ca = Certificates.certificateAuthority("Bounce Mailbox Test CA",
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));
        KeyPair serverKey = Certificates.ecKeyPair();
        X509Certificate serverCertificate = Certificates.serverCertificate(ca, serverKey.getPublic(),
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30), List.of("localhost", "127.0.0.1"));
        Path keyStore = work.resolve("imaps.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("greenmail", serverKey.getPrivate(), "changeit".toCharArray(),
                new Certificate[] {serverCertificate, ca.certificate()});
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            store.store(out, "changeit".toCharArray());
        }
        // GreenMail reads its server key once per JVM, from these properties.
        System.setProperty("greenmail.tls.keystore.file", keyStore.toString());
        System.setProperty("greenmail.tls.keystore.password", "changeit");
        System.setProperty("greenmail.tls.key.password", "changeit");
        int imapsPort = FreePorts.next();
        imap = new GreenMail(new ServerSetup(imapsPort, "127.0.0.1", ServerSetup.PROTOCOL_IMAPS));
        imap.start();
        String password = "mailbox-" + UUID.randomUUID();
        mailbox = imap.setUser(MAILBOX_USER, MAILBOX_USER, password);

        byte[] secret = ("bounce-secret-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        Path secretFile = Files.write(work.resolve("bounce-secret"), secret);
        returnPaths = ReturnPaths.of(secret, "bounce.gw.test");
        mailboxSettings = Map.of(
                "gateway.bounce.mailbox.url", "imaps://localhost:" + imapsPort + "/INBOX",
                "gateway.bounce.mailbox.username", MAILBOX_USER,
                "gateway.bounce.mailbox.password-file", Files.writeString(work.resolve("mailbox-password"), password)
                        .toString(),
                "gateway.bounce.mailbox.trust-ca-file", Pem.write(work.resolve("imap-ca.pem"), ca.certificate())
                        .toString(),
                "gateway.bounce.mailbox.poll-delay", "200ms",
                "gateway.bounce.secret-file", secretFile.toString(),
                "gateway.topic.events", EVENTS);
        gateway = InJvmGateway.start(work.resolve("gateway"), mailboxSettings, EVENTS);
        events = gateway.kafka().read(EVENTS);
        suppressions = gateway.kafka().read(InJvmGateway.SUPPRESSIONS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {events, suppressions, gateway}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (imap != null) {
            imap.stop();
        }
    }

    @Test
    void aDsnForASentMailBecomesOneBouncedEventAndTheAddressIsSuppressed() throws Exception {
        String recipient = unique("gone");
        String id = sent(recipient);
        String reportId = "<dsn-" + UUID.randomUUID() + "@mail.gw.test>";

        deliver(report("postfix-550-user-unknown.eml", id, recipient, "alice@example.org",
                "<20261206160001.4XyZ1J2k3Lz9sTQ@mail.gw.test>", reportId));

        JsonNode event = JSON.readTree(events.awaitRecord(id).value());
        assertThat(event.get("event").asText()).isEqualTo("BOUNCED");
        assertThat(event.get("id").asText()).isEqualTo(id);
        assertThat(event.get("recipient").asText()).isEqualTo(recipient);
        assertThat(event.at("/bounce/type").asText()).isEqualTo("hard");
        assertThat(event.at("/bounce/enhancedStatus").asText()).isEqualTo("5.1.1");
        assertThat(event.at("/bounce/remoteMta").asText()).isEqualTo("mx.example.org");
        assertThat(event.at("/source/kind").asText()).isEqualTo("dsn");
        assertThat(event.at("/source/reportMessageId").asText()).isEqualTo(reportId);
        assertThat(event.at("/tags/tenant").asText()).isEqualTo("acme");
        assertThat(event.get("messageId").asText()).startsWith("<").endsWith(">");
        await().atMost(WAIT).until(() -> folderHolds("Handled", reportId));
        // Moving is a copy and then an expunge of the original.
        await().atMost(WAIT).until(() -> !folderHolds("INBOX", reportId));

        JsonNode entry = JSON.readTree(suppressions.awaitRecord(Suppression.normalize(recipient)).value());
        assertThat(entry.get("reason").asText()).isEqualTo(Suppression.HARD_BOUNCE);
        assertThat(entry.get("tenant").asText()).isEqualTo("acme");
        assertThat(entry.get("source").asText()).contains(id).contains(reportId);
        String next = request(recipient);
        assertThat(gateway.results().awaitJson(next).get("status").asText()).isEqualTo("SUPPRESSED");
        assertThat(eventsFor(id)).hasSize(1);
    }

    @Test
    void aComplaintBecomesAComplainedEventAndASuppressionEntry() throws Exception {
        String recipient = unique("angry");
        String id = sent(recipient);
        String reportId = "<arf-" + UUID.randomUUID() + "@mailbox.example>";

        deliver(report("arf-abuse.eml", id, recipient, "carol@mailbox.example", "<arf-7788@mailbox.example>",
                reportId));

        JsonNode event = JSON.readTree(events.awaitRecord(id).value());
        assertThat(event.get("event").asText()).isEqualTo("COMPLAINED");
        assertThat(event.get("recipient").asText()).isEqualTo(recipient);
        assertThat(event.at("/complaint/feedbackType").asText()).isEqualTo("abuse");
        assertThat(event.at("/source/kind").asText()).isEqualTo("arf");
        assertThat(event.has("bounce")).isFalse();
        JsonNode entry = JSON.readTree(suppressions.awaitRecord(Suppression.normalize(recipient)).value());
        assertThat(entry.get("reason").asText()).isEqualTo(Suppression.COMPLAINT);
        await().atMost(WAIT).until(() -> folderHolds("Handled", reportId));
    }

    @Test
    void aMalformedReportIsCountedAndFiledAsUnclassifiedNotReadAgain() throws Exception {
        String reportId = "<broken-" + UUID.randomUUID() + "@mail.gw.test>";
        byte[] fixture = fixture("malformed-multipart.eml");
        deliver(replaceMessageId(new String(fixture, StandardCharsets.ISO_8859_1), reportId));

        await().atMost(WAIT).until(() -> folderHolds("Unclassified", reportId));
        // Moving is a copy and then an expunge of the original.
        await().atMost(WAIT).until(() -> !folderHolds("INBOX", reportId));
        await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                .containsPattern("mail_gateway_bounce_reports_total\\{outcome=\"unclassified\"[^}]*} [1-9]"));
    }

    @Test
    void aReportThatComesBackBeforeItsResultIsRecordedIsReadAgainAndHandledOnceItIs() throws Exception {
        // A next hop that refuses at once returns its report within a second of the relay's 250; here it is in the
        // mailbox before the request is even sent.
        String recipient = unique("early");
        String id = "bounce-" + UUID.randomUUID();
        String reportId = "<early-" + UUID.randomUUID() + "@mail.gw.test>";
        deliver(report("postfix-550-user-unknown.eml", id, recipient, "alice@example.org",
                "<20261206160001.4XyZ1J2k3Lz9sTQ@mail.gw.test>", reportId));

        await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                .containsPattern("mail_gateway_bounce_reports_total\\{outcome=\"pending\"[^}]*} [1-9]"));
        assertThat(folderHolds("INBOX", reportId)).as("left in place").isTrue();
        assertThat(folderHolds("Unclassified", reportId)).isFalse();

        request(id, recipient);
        gateway.results().awaitStatus(id, "SENT");
        JsonNode event = JSON.readTree(events.awaitRecord(id).value());
        assertThat(event.get("event").asText()).isEqualTo("BOUNCED");
        assertThat(event.get("recipient").asText()).isEqualTo(recipient);
        await().atMost(WAIT).until(() -> folderHolds("Handled", reportId));
        assertThat(eventsFor(id)).hasSize(1);
    }

    @Test
    void aReportWhoseTokenDoesNotVerifyYieldsNoEventAndIsCounted() throws Exception {
        String recipient = unique("victim");
        String id = sent(recipient);
        String reportId = "<forged-" + UUID.randomUUID() + "@mail.gw.test>";
        // The token names the request, but its tag was made for another recipient.
        String forged = returnPaths.returnPath(id, unique("someone-else"), null).orElseThrow();
        String text = new String(fixture("postfix-550-user-unknown.eml"), StandardCharsets.ISO_8859_1)
                .replace(FIXTURE_RETURN_PATH, forged).replace("alice@example.org", recipient);
        deliver(replaceMessageId(text, reportId));

        await().atMost(WAIT).until(() -> folderHolds("Unclassified", reportId));
        await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.httpBody("/observe/metrics"))
                .containsPattern("mail_gateway_bounce_reports_total\\{outcome=\"unmatched\"[^}]*} [1-9]"));
        assertThat(eventsFor(id)).isEmpty();
        assertThat(suppressions.records()).noneMatch(
                record -> Suppression.normalize(recipient).equals(record.key()));
    }

    @Test
    void twoInstancesReadingOneMailboxPublishEachEventOnce() throws Exception {
        Map<String, String> second = new HashMap<>(InJvmGateway.settings(gateway.broker().bootstrapServers(),
                InJvmGateway.GROUP, gateway.relay()));
        second.putAll(mailboxSettings);
        second.put("camel.management.port", String.valueOf(FreePorts.next()));
        second.put("gateway.tenants-file", work.resolve("gateway").resolve("tenants.yaml").toString());
        Main other = MailGateway.newMain(second);
        other.start();
        MailboxLease stopped = null;
        try {
            MailboxLease first = gateway.bean("bounceMailboxLease", MailboxLease.class);
            MailboxLease otherLease = other.getCamelContext().getRegistry()
                    .lookupByNameAndType("bounceMailboxLease", MailboxLease.class);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String recipient = unique("twice-" + i);
                String id = sent(recipient);
                ids.add(id);
                deliver(report("postfix-550-user-unknown.eml", id, recipient, "alice@example.org",
                        "<20261206160001.4XyZ1J2k3Lz9sTQ@mail.gw.test>", "<twice-" + UUID.randomUUID() + "@mx>"));
                if (i == 2) {
                    // Hand the mailbox over while reports are waiting: the holder leaves, the other takes it.
                    stopped = first.holding() ? first : otherLease;
                    stopped.stop();
                }
            }
            for (String id : ids) {
                events.awaitRecord(id);
            }
            await().atMost(WAIT).until(() -> imap.getManagers().getImapHostManager().getInbox(mailbox)
                    .getMessageCount() == 0);
            for (String id : ids) {
                assertThat(eventsFor(id)).as("events of %s", id).hasSize(1);
            }
            assertThat(first.holding() && otherLease.holding()).isFalse();
        } finally {
            if (stopped != null) {
                stopped.start();
            }
            other.stop();
        }
    }

    @Test
    void aMissingEventsTopicIsReadinessDownWithTheReasonUntilTheTopicExists() throws Exception {
        String absent = "absent.events." + UUID.randomUUID();
        Map<String, String> settings = new HashMap<>(InJvmGateway.settings(gateway.broker().bootstrapServers(),
                "absent-events-" + UUID.randomUUID(), gateway.relay()));
        settings.putAll(mailboxSettings);
        settings.put("gateway.topic.events", absent);
        int managementPort = FreePorts.next();
        settings.put("camel.management.port", String.valueOf(managementPort));
        settings.put("gateway.tenants-file", work.resolve("gateway").resolve("tenants.yaml").toString());
        Main other = MailGateway.newMain(settings);
        other.start();
        try {
            MailboxLease lease = other.getCamelContext().getRegistry()
                    .lookupByNameAndType("bounceMailboxLease", MailboxLease.class);
            await().atMost(WAIT).untilAsserted(() -> {
                var ready = ManagementPort.get(managementPort, "/observe/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("bounce-mailbox-lease").contains(absent + " does not exist");
            });
            assertThat(lease.holding()).isFalse();

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", gateway.broker().bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(absent, 1, (short) 1))).all().get();
            }
            await().atMost(WAIT).until(lease::holding);
            // Holding the lease means reading the mailbox: the route runs, whenever the lease was taken.
            assertThat(other.getCamelContext().getRouteController().getRouteStatus("bounce-mailbox").isStarted())
                    .isTrue();
        } finally {
            other.stop();
        }
    }

    private static String sent(String recipient) {
        String id = request(recipient);
        gateway.results().awaitStatus(id, "SENT");
        return id;
    }

    private static String request(String recipient) {
        return request("bounce-" + UUID.randomUUID(), recipient);
    }

    private static String request(String id, String recipient) {
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "Your order", "text": "Thank you",
                 "tags": {"tenant": "acme", "kind": "order"}}""".formatted(id, recipient)
                .getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }

    /** A fixture report about {@code recipient} of request {@code id}, sent to that recipient's return path. */
    private static String report(String fixture, String id, String recipient, String fixtureRecipient,
            String fixtureMessageId, String reportMessageId) throws IOException {
        String returnPath = returnPaths.returnPath(id, recipient, null).orElseThrow();
        return new String(fixture(fixture), StandardCharsets.ISO_8859_1)
                .replace(FIXTURE_RETURN_PATH, returnPath)
                .replace(fixtureRecipient, recipient)
                .replace(fixtureMessageId, reportMessageId);
    }

    private static String replaceMessageId(String text, String messageId) {
        return text.replaceFirst("(?im)^Message-I[dD]:.*$", "Message-ID: " + messageId.replace("$", "\\$"));
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = BounceMailboxIT.class.getResourceAsStream("/bounces/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void deliver(String text) throws Exception {
        mailbox.deliver(new MimeMessage(Session.getInstance(new java.util.Properties()),
                new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1))));
    }

    private static boolean folderHolds(String folder, String messageId) {
        var found = imap.getManagers().getImapHostManager().getFolder(mailbox, folder);
        if (found == null) {
            return false;
        }
        return found.getMessages().stream().anyMatch(message -> {
            try {
                return messageId.equals(message.getMimeMessage().getMessageID());
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static List<JsonNode> eventsFor(String id) {
        return events.allJson(id);
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }
}
