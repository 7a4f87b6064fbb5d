package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.tenant.Tenants;

/** Specifies how a request is completed with tenant and gateway defaults and checked against the sender allow-list. */
class EnricherTest {

    private static final MailAddress GATEWAY_FROM = new MailAddress("noreply@gateway.example", "Gateway");
    private static final MailAddress TENANT_FROM = new MailAddress("shop@acme.example", "ACME Shop");
    private static final MailAddress TENANT_REPLY_TO = new MailAddress("support@acme.example", null);
    private static final Set<String> ALLOWED = Set.of("acme.example", "gateway.example", "other.example");

    @TempDir
    Path tempDir;

    // --- From ---------------------------------------------------------------------------------------------------

    @Test
    void theRequestsFromWinsOverTenantAndGatewayDefaults() {
        MailAddress own = new MailAddress("orders@other.example", "Orders");

        MailRequest enriched = enricher(acmeTenants(), GATEWAY_FROM).enrich(request(own, "acme"));

        assertThat(enriched.from()).isEqualTo(own);
    }

    @Test
    void theTenantsFromWinsOverTheGatewayDefault() {
        MailRequest enriched = enricher(acmeTenants(), GATEWAY_FROM).enrich(request(null, "acme"));

        assertThat(enriched.from()).isEqualTo(TENANT_FROM);
    }

    @Test
    void theGatewayDefaultFromIsUsedWhenNeitherRequestNorTenantNamesOne() {
        MailRequest enriched = enricher(Tenants.none(), GATEWAY_FROM).enrich(request(null, null));

        assertThat(enriched.from()).isEqualTo(GATEWAY_FROM);
    }

    @Test
    void aTenantWithoutFromFallsBackToTheGatewayDefault() throws IOException {
        Tenants tenants = tenantsFile("""
                tenants:
                  beta:
                    locale: fr
                """);

        MailRequest enriched = enricher(tenants, GATEWAY_FROM).enrich(request(null, "beta"));

        assertThat(enriched.from()).isEqualTo(GATEWAY_FROM);
    }

    @Test
    void aMissingFromEverywhereIsSenderNotAllowedNamingFrom() {
        RequestRejectedException e = rejection(enricher(Tenants.none(), null), request(null, null));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
        assertThat(e.detail()).startsWith("from:");
    }

    @Test
    void aRejectionCarriesTheRequestIdAndTagsSoTheResultCanBeReportedUnderThem() {
        MailRequest request = new MailRequest("ord-7", null, null, null, null, List.of(to()), null, null, "Hi", "Hello",
                null, null, null, null, Map.of("kind", "order"));

        RequestRejectedException e = rejection(enricher(Tenants.none(), null), request);

        assertThat(e.requestId()).isEqualTo("ord-7");
        assertThat(e.tags()).containsExactly(Map.entry("kind", "order"));
    }

    // --- allow-list -----------------------------------------------------------------------------------------------

    @Test
    void aFromDomainOutsideTheAllowListIsSenderNotAllowedNamingTheDomain() {
        RequestRejectedException e = rejection(enricher(Tenants.none(), null),
                request(new MailAddress("ceo@evil.example", null), null));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
        assertThat(e.detail()).startsWith("from:").contains("'evil.example'");
    }

    @Test
    void aTenantsFromIsCheckedAgainstTheAllowListToo() throws IOException {
        Tenants tenants = tenantsFile("""
                tenants:
                  rogue:
                    from: shop@rogue.example
                """);

        RequestRejectedException e = rejection(enricher(tenants, null), request(null, "rogue"));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
        assertThat(e.detail()).contains("'rogue.example'");
    }

    @Test
    void theAllowListIsCaseInsensitiveOnBothSides() {
        Enricher enricher = new Enricher(Tenants.none(), null, Set.of("ACME.Example"));

        MailRequest enriched = enricher.enrich(request(new MailAddress("shop@Acme.EXAMPLE", null), null));

        assertThat(enriched.from().address()).isEqualTo("shop@Acme.EXAMPLE");
    }

    @Test
    void aLookAlikeUnicodeDomainDoesNotMatchTheAsciiDomain() {
        // "\u0430" is the Cyrillic small letter a, which looks like the Latin "a".
        String lookAlike = "\u0430cme.example";
        Enricher enricher = new Enricher(Tenants.none(), null, Set.of("acme.example"));

        RequestRejectedException e = rejection(enricher, request(new MailAddress("shop@" + lookAlike, null), null));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
        assertThat(e.detail()).startsWith("from:").doesNotContain("'acme.example'");
    }

    @Test
    void aSubdomainDoesNotMatchItsAllowedParent() {
        Enricher enricher = new Enricher(Tenants.none(), null, Set.of("acme.example"));

        RequestRejectedException e = rejection(enricher, request(new MailAddress("shop@mail.acme.example", null), null));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
        assertThat(e.detail()).contains("'mail.acme.example'");
    }

    @Test
    void aParentDoesNotMatchAnAllowedSubdomain() {
        Enricher enricher = new Enricher(Tenants.none(), null, Set.of("mail.acme.example"));

        RequestRejectedException e = rejection(enricher, request(new MailAddress("shop@acme.example", null), null));

        assertThat(e.category()).isEqualTo("sender-not-allowed");
    }

    @Test
    void anEmptyAllowListAllowsNoSender() {
        Enricher enricher = new Enricher(Tenants.none(), GATEWAY_FROM, Set.of());

        assertThat(rejection(enricher, request(null, null)).category()).isEqualTo("sender-not-allowed");
    }

    // --- Reply-To, locale, variables ------------------------------------------------------------------------------

    @Test
    void replyToAndLocaleDefaultFromTheTenant() {
        MailRequest enriched = enricher(acmeTenants(), null).enrich(request(null, "acme"));

        assertThat(enriched.replyTo()).isEqualTo(TENANT_REPLY_TO);
        assertThat(enriched.locale()).isEqualTo("de-AT");
    }

    @Test
    void theRequestsReplyToAndLocaleWinOverTheTenants() {
        MailAddress replyTo = new MailAddress("help@acme.example", "Help");
        MailRequest request = new MailRequest("ord-1", null, "en", null, replyTo, List.of(to()), null, null, "Hi",
                "Hello", null, null, null, null, Map.of("tenant", "acme"));

        MailRequest enriched = enricher(acmeTenants(), null).enrich(request);

        assertThat(enriched.replyTo()).isEqualTo(replyTo);
        assertThat(enriched.locale()).isEqualTo("en");
    }

    @Test
    void withoutTenantThereIsNoReplyToAndNoLocale() {
        MailRequest enriched = enricher(Tenants.none(), GATEWAY_FROM).enrich(request(null, null));

        assertThat(enriched.replyTo()).isNull();
        assertThat(enriched.locale()).isNull();
    }

    @Test
    void tenantVariablesAreMergedUnderTheRequestDataWhichWins() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("brand", "ACME Outlet");
        data.put("name", "Alice");
        MailRequest request = new MailRequest("ord-1", "order-confirmation", null, null, null, List.of(to()), null,
                null, null, null, null, data, null, null, Map.of("tenant", "acme"));

        MailRequest enriched = enricher(acmeTenants(), null).enrich(request);

        assertThat(enriched.data()).containsOnly(
                Map.entry("brand", "ACME Outlet"),
                Map.entry("colour", "#c00"),
                Map.entry("name", "Alice"));
    }

    @Test
    void everythingElseOfTheRequestIsKept() {
        MailRequest request = new MailRequest("ord-1", "order-confirmation", null, null, null, List.of(to()),
                List.of(new MailAddress("cc@example.org", null)), List.of(new MailAddress("bcc@example.org", null)),
                "Subject", "Text", "<p>Html</p>", Map.of("name", "Alice"), null, Map.of("X-Campaign", "autumn"),
                Map.of("tenant", "acme", "kind", "order"));

        MailRequest enriched = enricher(acmeTenants(), null).enrich(request);

        assertThat(enriched.id()).isEqualTo("ord-1");
        assertThat(enriched.template()).isEqualTo("order-confirmation");
        assertThat(enriched.to()).isEqualTo(request.to());
        assertThat(enriched.cc()).isEqualTo(request.cc());
        assertThat(enriched.bcc()).isEqualTo(request.bcc());
        assertThat(enriched.subject()).isEqualTo("Subject");
        assertThat(enriched.text()).isEqualTo("Text");
        assertThat(enriched.html()).isEqualTo("<p>Html</p>");
        assertThat(enriched.headers()).isEqualTo(request.headers());
        assertThat(enriched.tags()).isEqualTo(request.tags());
    }

    // --- tenant selection -----------------------------------------------------------------------------------------

    @Test
    void anUnknownTenantIsRejectedWhenATenantsFileExists() {
        RequestRejectedException e = rejection(enricher(acmeTenants(), GATEWAY_FROM), request(null, "globex"));

        assertThat(e.category()).isEqualTo("invalid-request");
        assertThat(e.detail()).startsWith("tags.tenant:").contains("'globex'");
    }

    @Test
    void aTenantTagIsIgnoredWhenThereIsNoTenantsFile() {
        MailRequest enriched = enricher(Tenants.none(), GATEWAY_FROM).enrich(request(null, "globex"));

        assertThat(enriched.from()).isEqualTo(GATEWAY_FROM);
        assertThat(enriched.tags()).containsEntry("tenant", "globex");
    }

    @Test
    void aRequestWithoutTenantTagGetsNoTenantDefaultsEvenWhenTenantsExist() {
        MailRequest enriched = enricher(acmeTenants(), GATEWAY_FROM).enrich(request(null, null));

        assertThat(enriched.from()).isEqualTo(GATEWAY_FROM);
        assertThat(enriched.replyTo()).isNull();
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private Tenants acmeTenants() {
        try {
            return tenantsFile("""
                    tenants:
                      acme:
                        from: {address: shop@acme.example, name: ACME Shop}
                        replyTo: support@acme.example
                        locale: de-AT
                        variables:
                          brand: ACME
                          colour: "#c00"
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Tenants tenantsFile(String yaml) throws IOException {
        Path file = Files.createTempFile(tempDir, "tenants", ".yaml");
        Files.writeString(file, yaml);
        return Tenants.load(file);
    }

    private static Enricher enricher(Tenants tenants, MailAddress defaultFrom) {
        return new Enricher(tenants, defaultFrom, ALLOWED);
    }

    private static MailRequest request(MailAddress from, String tenant) {
        return new MailRequest("ord-1042-confirmation", null, null, from, null, List.of(to()), null, null, "Hi",
                "Hello", null, null, null, null, tenant == null ? Map.of() : Map.of("tenant", tenant));
    }

    private static MailAddress to() {
        return new MailAddress("alice@example.org", null);
    }

    private static RequestRejectedException rejection(Enricher enricher, MailRequest request) {
        RequestRejectedException e = catchThrowableOfType(RequestRejectedException.class, () -> enricher.enrich(request));
        assertThat(e).as("expected a rejection").isNotNull();
        return e;
    }
}
