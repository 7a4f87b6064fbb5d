package io.mailgateway.dkim;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.mail.Message.RecipientType;

import org.eclipse.angus.mail.util.CRLFOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.Attachment;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.tenant.Tenant.WithoutDkimKey;
import io.mailgateway.tenant.Tenants;

class MessageSignerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static PythonDkim python;

    @TempDir
    Path keysDir;

    @BeforeAll
    static void verifier() {
        python = PythonDkim.require();
    }

    @Test
    void anRsaSignatureVerifiesOverTheBytesSent() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);

        byte[] sent = sent(signer(WithoutDkimKey.SEND).sign(composed("shop.example"), request("shop.example", "acme")));

        assertThat(python.verify(sent, DkimKeys.read(keysDir))).containsExactly("PASS d=shop.example s=rsa1 a=rsa-sha256");
    }

    @Test
    void anEd25519SignatureVerifies() throws Exception {
        TestKeys.ed25519(keysDir, "shop.example", "ed1");

        byte[] sent = sent(signer(WithoutDkimKey.SEND).sign(composed("shop.example"), request("shop.example", "acme")));

        assertThat(python.verify(sent, DkimKeys.read(keysDir)))
                .containsExactly("PASS d=shop.example s=ed1 a=ed25519-sha256");
    }

    @Test
    void aDomainWithAnRsaAndAnEd25519KeyGetsTwoSignaturesThatBothVerify() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);
        TestKeys.ed25519(keysDir, "shop.example", "ed1");

        byte[] sent = sent(signer(WithoutDkimKey.SEND).sign(composed("shop.example"), request("shop.example", "acme")));

        assertThat(python.verify(sent, DkimKeys.read(keysDir))).containsExactlyInAnyOrder(
                "PASS d=shop.example s=rsa1 a=rsa-sha256", "PASS d=shop.example s=ed1 a=ed25519-sha256");
    }

    @Test
    void aChangedSubjectNoLongerVerifies() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);
        TestKeys.ed25519(keysDir, "shop.example", "ed1");
        String sent = new String(sent(signer(WithoutDkimKey.SEND).sign(composed("shop.example"),
                request("shop.example", "acme"))), ISO_8859_1);
        String subject = sent.lines().filter(line -> line.startsWith("Subject: ")).findFirst().orElseThrow();

        String tampered = sent.replace(subject, "Subject: You won a prize");

        assertThat(python.verify(tampered.getBytes(ISO_8859_1), DkimKeys.read(keysDir))).hasSize(2)
                .allSatisfy(verdict -> assertThat(verdict).startsWith("FAIL"));
    }

    @Test
    void anAddedFromAboveOrBelowTheSignedOneNoLongerVerifies() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);
        String sent = new String(sent(signer(WithoutDkimKey.SEND).sign(composed("shop.example"),
                request("shop.example", "acme"))), ISO_8859_1);
        assertThat(python.verify(sent.getBytes(ISO_8859_1), DkimKeys.read(keysDir))).allMatch(v -> v.startsWith("PASS"));
        String from = sent.lines().filter(line -> line.startsWith("From: ")).findFirst().orElseThrow();

        String fromAbove = "From: ceo@evil.example\r\n" + sent;
        String fromBelow = sent.replace(from + "\r\n", from + "\r\nFrom: ceo@evil.example\r\n");

        assertThat(python.verify(fromAbove.getBytes(ISO_8859_1), DkimKeys.read(keysDir))).containsExactly(
                "FAIL d=shop.example s=rsa1 a=rsa-sha256");
        assertThat(python.verify(fromBelow.getBytes(ISO_8859_1), DkimKeys.read(keysDir))).containsExactly(
                "FAIL d=shop.example s=rsa1 a=rsa-sha256");
    }

    @Test
    void theSignatureOversignsEveryListedFieldAndLeavesBccOutOfTheBytesSent() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);

        OutboundMessage signed = signer(WithoutDkimKey.SEND).sign(composed("shop.example"),
                request("shop.example", "acme"));
        String sent = new String(sent(signed), ISO_8859_1);

        String signature = sent.substring(0, sent.indexOf("bh=")).replaceAll("\\s", "");
        assertThat(signature).contains("h=from:from:to:to:cc:subject:subject:date:date:message-id:message-id:"
                + "reply-to:mime-version:mime-version:content-type:content-type:list-unsubscribe:"
                + "list-unsubscribe:list-unsubscribe-post:list-unsubscribe-post");
        assertThat(sent).doesNotContain("hidden@archive.example");
        assertThat(signed.getRecipients(RecipientType.BCC)).extracting(Object::toString)
                .containsExactly("hidden@archive.example");
        assertThat(signed.messageId()).isEqualTo(composed("shop.example").messageId());
    }

    @Test
    void aSignedMessageWritesTheSameBytesEveryTimeAndRefusesChanges() throws Exception {
        TestKeys.ed25519(keysDir, "shop.example", "ed1");
        OutboundMessage signed = signer(WithoutDkimKey.SEND).sign(composed("shop.example"),
                request("shop.example", "acme"));

        assertThat(sent(signed)).isEqualTo(sent(signed));
        signed.saveChanges();
        assertThat(python.verify(sent(signed), DkimKeys.read(keysDir))).allMatch(v -> v.startsWith("PASS"));
        assertThatThrownBy(() -> signed.setSubject("changed")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no longer verify");
    }

    @Test
    void aDomainWithoutAKeyIsSentUnsignedWhenTheGatewaySaysSend() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "rsa1", 2048);
        OutboundMessage composed = composed("other.example");

        assertThat(signer(WithoutDkimKey.SEND).sign(composed, request("other.example", "acme"))).isSameAs(composed);
    }

    @Test
    void aDomainWithoutAKeyIsRefusedAsSenderNotAllowedWhenTheGatewaySaysRefuse() throws Exception {
        MailRequest request = request("other.example", "acme");

        assertThatThrownBy(() -> signer(WithoutDkimKey.REFUSE).sign(composed("other.example"), request))
                .isInstanceOfSatisfying(RequestRejectedException.class, rejected -> {
                    assertThat(rejected.category()).isEqualTo("sender-not-allowed");
                    assertThat(rejected.detail()).contains("other.example").contains("no DKIM key");
                    assertThat(rejected.requestId()).isEqualTo(request.id());
                });
    }

    @Test
    void theTenantsPolicyOverridesTheGateways() throws Exception {
        Path tenantsFile = keysDir.resolveSibling(keysDir.getFileName() + "-tenants.yaml");
        Files.writeString(tenantsFile, """
                tenants:
                  strict:
                    dkim: {withoutKey: refuse}
                  lenient:
                    dkim: {withoutKey: send}
                  silent: {}
                """);
        Tenants tenants = Tenants.load(tenantsFile);
        MessageSigner sendsByDefault = new MessageSigner(DkimKeys.load(keysDir, Duration.ofSeconds(5), CLOCK),
                tenants, WithoutDkimKey.SEND, CLOCK);
        MessageSigner refusesByDefault = new MessageSigner(DkimKeys.load(keysDir, Duration.ofSeconds(5), CLOCK),
                tenants, WithoutDkimKey.REFUSE, CLOCK);

        assertThatThrownBy(() -> sendsByDefault.sign(composed("other.example"), request("other.example", "strict")))
                .hasMessageContaining("unsigned mail is refused");
        assertThat(refusesByDefault.sign(composed("other.example"), request("other.example", "lenient"))).isNotNull();
        assertThatThrownBy(() -> refusesByDefault.sign(composed("other.example"), request("other.example", "silent")))
                .isInstanceOf(RequestRejectedException.class);
    }

    private MessageSigner signer(WithoutDkimKey withoutKey) {
        return new MessageSigner(DkimKeys.load(keysDir, Duration.ofSeconds(5), CLOCK), Tenants.none(), withoutKey,
                CLOCK);
    }

    /** The bytes SMTPTransport writes: without Bcc, every line ended by CRLF. */
    static byte[] sent(OutboundMessage message) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CRLFOutputStream crlf = new CRLFOutputStream(bytes)) {
            message.writeTo(crlf, new String[] {"Bcc", "Content-Length"});
        }
        return bytes.toByteArray();
    }

    /** HTML and text, a non-ASCII subject, a line far longer than 998 characters, an attachment, List-Unsubscribe. */
    static OutboundMessage composed(String domain) {
        MailRequest request = request(domain, "acme");
        String longLine = "Ihre Bestellung: " + "Größe XL, Farbe Blau; ".repeat(80);
        RenderedContent content = new RenderedContent("Ihre Bestellung bei Café Müller ✓ — Nr. 1042",
                "<html><body><p>Hallo Jürgen,</p><p>" + longLine + "</p></body></html>",
                "Hallo Jürgen,\n\n" + longLine + "\n\n-- \nCafé Müller   \n\n\n", "default");
        return new MimeComposer(10_000_000, CLOCK).compose(request, content);
    }

    static MailRequest request(String domain, String tenant) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("List-Unsubscribe", "<https://shop.example/unsubscribe?t=abc123>");
        headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return new MailRequest("ord-1042", null, null, new MailAddress("orders@" + domain, "Café Müller"),
                null, List.of(new MailAddress("juergen@customer.example", "Jürgen Groß")), List.of(),
                List.of(new MailAddress("hidden@archive.example", null)), null, null, null, null,
                List.of(new Attachment("Rechnung-1042.pdf", "application/pdf",
                        "%PDF-1.4 invoice ÄÖÜ\n".repeat(200).getBytes(StandardCharsets.UTF_8))),
                headers, Map.of("tenant", tenant));
    }
}
