package io.mailgateway.dkim;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;

/**
 * DKIM signing end to end: requests go through Kafka and the gateway's routes to an SMTP relay, and the bytes the
 * relay received are verified by python3-dkim, an implementation independent of the gateway's.
 */
class DkimSigningIT {

    private static final String LONG_LINE = "Ihre Bestellung: " + "Größe XL, Farbe Blau; ".repeat(60);

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static PythonDkim python;
    static List<DkimKey> keys;

    @BeforeAll
    static void start() throws Exception {
        python = PythonDkim.require();
        Path keysDir = work.resolve("dkim-keys");
        TestKeys.rsa(keysDir, "acme.example", "2026-rsa", 2048);
        TestKeys.ed25519(keysDir, "acme.example", "2026-ed");
        TestKeys.rsa(keysDir, "rsa.example", "s1", 3072);
        TestKeys.ed25519(keysDir, "ed.example", "s1");
        keys = DkimKeys.read(keysDir);
        int httpPort = FreePorts.next();
        Path secretFile = Files.writeString(work.resolve("unsubscribe-secret"), UUID.randomUUID() + "\n");
        Path tenants = Files.writeString(work.resolve("dkim-tenants.yaml"), """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                    bulk:
                      kinds: [newsletter]
                      unsubscribeUrl: "http://127.0.0.1:%d/unsubscribe?token={token}"
                  strict:
                    from: shop@acme.example
                    dkim: {withoutKey: refuse}
                """.formatted(httpPort));
        gateway = InJvmGateway.start(work, Map.of(
                "gateway.tenants-file", tenants.toString(),
                "gateway.allowed-sender-domains", "acme.example,rsa.example,ed.example,unsigned.example",
                "gateway.dkim.keys-dir", keysDir.toString(),
                "camel.server.enabled", "true",
                "camel.server.host", "127.0.0.1",
                "camel.server.port", String.valueOf(httpPort),
                "gateway.unsubscribe.enabled", "true",
                "gateway.unsubscribe.secret-file", secretFile.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void bulkMailWithHtmlTextAndAnAttachmentArrivesWithRsaAndEd25519SignaturesThatVerify() {
        String id = send("shop@acme.example", "acme", "newsletter");

        byte[] received = received(id, "shop@acme.example").raw();

        String raw = new String(received, ISO_8859_1);
        assertThat(raw).contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click").contains("multipart/mixed")
                .contains("multipart/alternative").contains("Rechnung-1042.pdf").contains("=?UTF-8?");
        assertThat(python.verify(received, keys)).containsExactlyInAnyOrder(
                "PASS d=acme.example s=2026-rsa a=rsa-sha256", "PASS d=acme.example s=2026-ed a=ed25519-sha256");
    }

    @Test
    void aSubjectChangedOnTheWayOrAnAddedFromFailsVerification() {
        String id = send("shop@acme.example", "acme", "order");
        String raw = new String(received(id, "shop@acme.example").raw(), ISO_8859_1);
        String subject = raw.lines().filter(line -> line.startsWith("Subject: ")).findFirst().orElseThrow();

        String changedSubject = raw.replace(subject, "Subject: Your account is locked");
        String addedFrom = "From: security@evil.example\r\n" + raw;

        assertThat(python.verify(changedSubject.getBytes(ISO_8859_1), keys)).hasSize(2)
                .allSatisfy(verdict -> assertThat(verdict).startsWith("FAIL"));
        assertThat(python.verify(addedFrom.getBytes(ISO_8859_1), keys)).hasSize(2)
                .allSatisfy(verdict -> assertThat(verdict).startsWith("FAIL"));
    }

    @Test
    void aDomainWithOneKeyIsSignedWithThatKeyOnly() {
        String rsa = send("billing@rsa.example", "acme", "order");
        String ed = send("billing@ed.example", "acme", "order");

        assertThat(python.verify(received(rsa, "billing@rsa.example").raw(), keys))
                .containsExactly("PASS d=rsa.example s=s1 a=rsa-sha256");
        assertThat(python.verify(received(ed, "billing@ed.example").raw(), keys))
                .containsExactly("PASS d=ed.example s=s1 a=ed25519-sha256");
    }

    @Test
    void aDomainWithoutAKeyIsSentUnsignedByDefault() {
        String id = send("shop@unsigned.example", "acme", "order");

        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        assertThat(received(id, "shop@unsigned.example").rawAsString()).doesNotContain("DKIM-Signature");
    }

    @Test
    void aDomainWithoutAKeyUnderATenantThatRefusesIsRejectedAndNothingIsSent() {
        int before = gateway.relay().server().received().size();
        String id = send("shop@unsigned.example", "strict", "order");

        JsonNode result = gateway.results().awaitJson(id);

        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("terminal").asBoolean()).isTrue();
        assertThat(result.at("/reason/category").asText()).isEqualTo("sender-not-allowed");
        assertThat(result.at("/reason/detail").asText()).contains("unsigned.example");
        String messageId = MessageIds.forRequest(id, "shop@unsigned.example");
        assertThat(gateway.relay().server().received().subList(before, gateway.relay().server().received().size()))
                .noneMatch(mail -> mail.rawAsString().contains(messageId));
    }

    private static ReceivedMail received(String id, String from) {
        assertThat(gateway.results().awaitJson(id).get("status").asText()).isEqualTo("SENT");
        return gateway.relay().awaitMessageId(MessageIds.forRequest(id, from));
    }

    private static String send(String from, String tenant, String kind) {
        String id = "dkim-" + UUID.randomUUID();
        String attachment = Base64.getEncoder().encodeToString(
                "%PDF-1.4 Rechnung ÄÖÜ\n".repeat(300).getBytes(StandardCharsets.UTF_8));
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "from": "%s", "to": ["juergen@customer.example"],
                 "subject": "Ihre Bestellung bei Café Müller ✓ — Nr. 1042",
                 "text": "Hallo Jürgen,\\n\\n%s\\n\\n-- \\nCafé Müller   \\n",
                 "html": "<p>Hallo Jürgen,</p><p>%s</p>",
                 "attachments": [{"filename": "Rechnung-1042.pdf", "contentType": "application/pdf",
                                  "contentBase64": "%s"}],
                 "tags": {"tenant": "%s", "kind": "%s"}}""".formatted(id, from, LONG_LINE, LONG_LINE, attachment,
                tenant, kind).getBytes(StandardCharsets.UTF_8), Map.of());
        return id;
    }
}
