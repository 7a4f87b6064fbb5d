package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.tenant.Tenant.Bulk;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

class BulkMailTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String URL = "https://acme.example/unsubscribe?token={token}";

    private final BulkMail bulk = new BulkMail(Map.of("acme", new Bulk(Set.of("newsletter"), URL)),
            new UnsubscribeTokens(SECRET), CLOCK);

    @Test
    void bulkMailGetsOneClickHeadersWithASignedLinkForItsRecipient() throws Exception {
        MailRequest request = request("newsletter", List.of("Reader@Example.org"), List.of());

        OutboundMessage message = bulk.addUnsubscribeHeaders(compose(request), attemptFor(request));

        String link = message.getHeader("List-Unsubscribe", null);
        assertThat(link).startsWith("<https://acme.example/unsubscribe?token=").endsWith(">");
        assertThat(message.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        String token = link.substring(link.indexOf("token=") + 6, link.length() - 1);
        assertThat(new UnsubscribeTokens(SECRET).verify(token))
                .isEqualTo(new UnsubscribeTokens.Claims("acme", "reader@example.org", CLOCK.instant(), "req-1"));
    }

    @Test
    void otherKindsAndOtherTenantsAreNotBulk() throws Exception {
        MailRequest order = request("order", List.of("a@example.org", "b@example.org"), List.of());

        assertThat(bulk.check(order)).isSameAs(order);
        assertThat(bulk.addUnsubscribeHeaders(compose(order), attemptFor(order)).getHeader("List-Unsubscribe")).isNull();
        assertThat(bulk.isBulk(new MailRequest("x", null, null, new MailAddress("shop@acme.example", null), null,
                List.of(new MailAddress("a@example.org", null)), null, null, "s", "t", null, null, null, null,
                Map.of("tenant", "other", "kind", "newsletter")))).isFalse();
    }

    @Test
    void bulkRequestWithMoreThanOneRecipientIsRejectedNamingTheField() {
        assertThatThrownBy(() -> bulk.check(request("newsletter", List.of("a@example.org", "b@example.org"), List.of())))
                .isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("to: a bulk request (tags.kind 'newsletter') must name exactly one recipient, not 2");
        assertThatThrownBy(() -> bulk.check(request("newsletter", List.of("a@example.org"), List.of("c@example.org"))))
                .isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("cc: ");
    }

    @Test
    void tenantsFileGivesEachTenantItsBulkKindsAndLink(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tenants.yaml"), """
                tenants:
                  acme:
                    from: shop@acme.example
                    bulk: {kinds: [newsletter, digest], unsubscribeUrl: "https://acme.example/u?t={token}"}
                  plain:
                    from: info@plain.example
                """);

        assertThat(BulkMail.settingsOf(Tenants.load(file))).containsExactly(
                Map.entry("acme", new Bulk(Set.of("newsletter", "digest"), "https://acme.example/u?t={token}")));
    }

    @Test
    void brokenBulkSettingsStopStartUp(@TempDir Path dir) throws Exception {
        assertBroken(dir, "{kinds: [newsletter], unsubscribeUrl: \"https://acme.example/u\"}", "must contain {token}");
        assertBroken(dir, "{kinds: [newsletter], unsubscribeUrl: \"http://acme.example/u?t={token}\"}", "https://");
        assertBroken(dir, "{kinds: [], unsubscribeUrl: \"https://acme.example/u?t={token}\"}", "non-empty list 'kinds'");
        assertThatThrownBy(() -> new BulkMail(Map.of("acme", new Bulk(Set.of("newsletter"), URL)), null, CLOCK))
                .hasMessageContaining("GATEWAY_UNSUBSCRIBE_SECRET_FILE");
    }

    private static void assertBroken(Path dir, String bulk, String message) throws Exception {
        Path file = Files.writeString(dir.resolve("tenants.yaml"), "tenants:\n  acme:\n    bulk: " + bulk + "\n");
        assertThatThrownBy(() -> Tenants.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.acme.bulk").hasMessageContaining(message);
    }

    @Test
    void bulkByDefaultTenantsRequestsAreBulkUnlessOfATransactionalKind() {
        BulkMail byDefault = new BulkMail(Map.of("acme", new Bulk(Set.of(), URL, true, Set.of("password-reset"))),
                new UnsubscribeTokens(SECRET), CLOCK);

        assertThat(byDefault.isBulk(request(null, List.of("a@example.org"), List.of()))).isTrue();
        assertThat(byDefault.isBulk(request("announcement", List.of("a@example.org"), List.of()))).isTrue();
        assertThat(byDefault.isBulk(request("password-reset", List.of("a@example.org"), List.of()))).isFalse();
        assertThatThrownBy(() -> byDefault.check(request(null, List.of("a@example.org", "b@example.org"), List.of())))
                .isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("to: a bulk request (tenant's mail is bulk by default and tags.kind names no"
                        + " transactional kind) must name exactly one recipient, not 2");
    }

    @Test
    void tenantsFileMakesATenantsMailBulkByDefault(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tenants.yaml"), """
                tenants:
                  acme:
                    bulk:
                      byDefault: true
                      transactionalKinds: [password-reset, order]
                      unsubscribeUrl: "https://acme.example/u?t={token}"
                """);

        assertThat(BulkMail.settingsOf(Tenants.load(file))).containsExactly(Map.entry("acme",
                new Bulk(Set.of(), "https://acme.example/u?t={token}", true, Set.of("password-reset", "order"))));
    }

    @Test
    void bulkSettingsThatCannotMeanAnythingStopStartUp(@TempDir Path dir) throws Exception {
        assertBroken(dir, "{unsubscribeUrl: \"https://acme.example/u?t={token}\"}",
                "kinds must list the bulk kinds of request");
        assertBroken(dir, "{kinds: [news], transactionalKinds: [order], unsubscribeUrl: \"https://a.example/?t={token}\"}",
                "transactionalKinds only applies with byDefault: true");
        assertBroken(dir, "{byDefault: true, kinds: [order], transactionalKinds: [order],"
                + " unsubscribeUrl: \"https://a.example/?t={token}\"}", "listed as bulk and as transactional");
        assertBroken(dir, "{byDefault: yes-please, unsubscribeUrl: \"https://a.example/?t={token}\"}", "byDefault");
    }

    private static OutboundMessage compose(MailRequest request) {
        return new MimeComposer(1_000_000, CLOCK).compose(request, new RenderedContent("News", null, "News", null));
    }

    private static MailRequest request(String kind, List<String> to, List<String> cc) {
        return new MailRequest("req-1", null, null, new MailAddress("shop@acme.example", null), null,
                to.stream().map(a -> new MailAddress(a, null)).toList(), cc.stream().map(a -> new MailAddress(a, null)).toList(),
                null, "News", "News", null, null, null, null,
                kind == null ? Map.of("tenant", "acme") : Map.of("tenant", "acme", "kind", kind));
    }

    private static Attempt attemptFor(MailRequest request) {
        Attempt attempt = Attempt.ofRecord("req-1", "mail.outbound", 0, 0, "{}".getBytes(StandardCharsets.UTF_8),
                "2026-12-01T10:00:00Z");
        attempt.setRequest(request);
        return attempt;
    }
}
